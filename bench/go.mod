module github.com/steadfast-go/steadfast/bench

go 1.26.0

require (
	github.com/cenkalti/backoff/v4 v4.3.0
	github.com/steadfast-go/steadfast v0.0.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/go-logr/logr v1.4.4 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	google.golang.org/grpc v1.85.0
)

require (
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	k8s.io/client-go v0.37.2
)

require (
	github.com/steadfast-go/steadfast/examples v0.0.0
	golang.org/x/time v0.16.0 // indirect
	k8s.io/apimachinery v0.37.2 // indirect
	k8s.io/klog/v2 v2.140.0 // indirect
	k8s.io/utils v0.0.0-20260626114624-be93311217bd // indirect
)

replace github.com/steadfast-go/steadfast => ../

replace github.com/steadfast-go/steadfast/examples => ../examples
