// Package watchetcd makes the keys under one etcd prefix a [watch.Source] and a
// [watch.ListFunc], so that a [watch.Watcher] (or client-go's RetryWatcher) watches etcd as it
// would a Kubernetes resource. It speaks etcd's v3 API through go.etcd.io/etcd/client/v3, and
// runs against etcd 3.4 (the tests use Debian's etcd-server, 3.4.23).
//
// What it maps, and why:
//
//   - Objects. A key is a *v1.ConfigMap named after the key without the prefix (no namespace),
//     its value under data["value"] (binaryData["value"] when it is not UTF-8), its
//     resourceVersion the key's mod revision: etcd's revisions are what Kubernetes'
//     resourceVersions are (kube-apiserver stores objects in etcd and uses them as such).
//   - List reads every key under the prefix at one revision (linearizable, in pages of 500,
//     each page at the first one's revision) and returns that revision as the list's
//     resourceVersion. It takes resourceVersion "" only, and no selectors (400 BadRequest).
//   - Watch from resourceVersion R watches the prefix from revision R+1, with the previous
//     values: a put that created the key (create revision = mod revision) is Added, another
//     put Modified, a delete Deleted with the value the key had and the delete's revision as
//     resourceVersion, as kube-apiserver reports deletes. From "" or "0" it first sends an
//     Added event for every key at the latest revision and watches from there, as the API
//     server does. A resourceVersion that is not a revision is 400 BadRequest.
//   - Errors are Statuses, as kube-apiserver's etcd watcher makes them: a watch from a
//     compacted revision (etcd's ErrCompacted) sends an error event with 410 Expired ("The
//     resourceVersion for the provided watch is too old."), and the stream closes after it, so
//     that a Watcher relists; another error that ends an etcd watch sends a 500 InternalError
//     before the close. A watch the client ends without an error (the client was closed) just
//     closes. A list that fails returns the same Statuses as errors: 410 Expired for a
//     compacted revision, 500 InternalError otherwise.
//   - No leader. A watch etcd ends because its member has no leader ("etcdserver: no
//     leader": the member lost its quorum, and fails every new watch at once until it has one
//     again) closes with no event: a close is what a server that is not ready does, and the
//     Watcher's quick-close rule retries it after the policy's first delay however long the
//     outage lasts. kube-apiserver sends a 500 for it, which the Watcher retries on its
//     growing backoff, and so comes back up to seconds after the quorum does (the test
//     TestConvergenceAfterQuorumLoss measures both beside RetryWatcher).
//     [WithNoLeaderAsError] keeps kube-apiserver's 500.
//   - Leaders. Watches require a leader (clientv3.WithRequireLeader), as kube-apiserver's do:
//     a member cut off from its cluster ends them rather than serving a stale view.
//   - Restarts are the client's. etcd's client keeps a watch open across a server that dies
//     and comes back: it reconnects, waits (also through the time the restarted member has no
//     leader yet) and resumes after the last revision it delivered. So a SIGKILL and restart
//     of etcd ends no stream of this Source: events resume as soon as the member accepts
//     writes, for the Watcher and RetryWatcher alike (see the tests).
//   - Bookmarks. With [WithProgressNotify] and a watch that allows bookmarks (the Watcher's
//     always do), etcd's progress notifications (every 10 minutes by default, etcd's
//     --experimental-watch-progress-notify-interval) become Bookmark events at the
//     notification's revision. One at or below the revision the stream started from or sent is
//     dropped: etcd releases before the fixes of etcd-io/etcd#15220 and #20221 can send a
//     notification that lags the events, and a bookmark must never move a resume point back.
//   - Stop cancels the etcd watch and closes the result channel; the channel also closes when
//     the watch's context ends.
//
// One limit: a transaction that changes several keys under the prefix gives several events with
// one revision, and a watch resumed from that revision misses the ones not yet handled.
// Kubernetes writes one object per transaction; so must a writer of a watched prefix.
//
// Package etcdtest runs real etcd members for tests, and can SIGKILL, restart and compact them.
package watchetcd
