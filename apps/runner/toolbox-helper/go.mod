module daytona.local/runner/toolbox-helper

go 1.23
