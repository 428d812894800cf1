module github.com/daytonaio/daytona/libs/api-client-go

go 1.23
