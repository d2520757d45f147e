package voltha

import (
	"cmp"
	"slices"
	"strings"
)

// groupPods splits running pods into read-write groups (at most two members each, by name),
// read-only cores (by name), and the read-write pods left over: those beyond two in a group
// and those whose group has no backend.
func (l Layout) groupPods(pods []Pod, devices map[string][]string) (map[string][]Pod, []Pod, []Pod) {
	groups := map[string][]Pod{}
	var ro, unplaced []Pod
	for _, p := range pods {
		switch {
		case p.Addr == "":
		case p.Role == RoleRW && !l.HasGroup(p.Group):
			unplaced = append(unplaced, p)
		case p.Role == RoleRW:
			groups[p.Group] = append(groups[p.Group], p)
		case p.Role == RoleRO:
			ro = append(ro, p)
		}
	}
	for g, members := range groups {
		slices.SortFunc(members, func(a, b Pod) int {
			return cmp.Or(cmp.Compare(len(devices[b.Name]), len(devices[a.Name])), strings.Compare(a.Name, b.Name))
		})
		if len(members) > 2 {
			unplaced = append(unplaced, members[2:]...)
			members = members[:2]
		}
		slices.SortFunc(members, byName)
		groups[g] = members
	}
	slices.SortFunc(ro, byName)
	return groups, ro, unplaced
}

func byName(a, b Pod) int { return strings.Compare(a.Name, b.Name) }
