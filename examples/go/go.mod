module github.com/daytonaio/daytona/examples/go

go 1.23

require github.com/daytonaio/daytona/libs/sdk-go v0.0.0-00010101000000-000000000000

require github.com/daytonaio/daytona/libs/api-client-go v0.0.0-00010101000000-000000000000 // indirect

// Resolved from this repository, in the workspace (go.work) and without it.
replace (
	github.com/daytonaio/daytona/libs/api-client-go => ../../libs/api-client-go
	github.com/daytonaio/daytona/libs/sdk-go => ../../libs/sdk-go
)
