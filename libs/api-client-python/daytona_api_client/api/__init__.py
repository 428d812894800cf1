# flake8: noqa

# import apis into api package
from daytona_api_client.api.api_keys_api import ApiKeysApi
from daytona_api_client.api.health_api import HealthApi
from daytona_api_client.api.sandbox_api import SandboxApi
from daytona_api_client.api.snapshots_api import SnapshotsApi
from daytona_api_client.api.toolbox_api import ToolboxApi

