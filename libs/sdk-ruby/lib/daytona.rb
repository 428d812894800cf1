# frozen_string_literal: true

# The Daytona SDK: create sandboxes one at a time or thousands at once, run commands in them,
# delete them. A hand-written layer over the generated client (gem daytona_api_client).
#
#   require 'daytona'
#   daytona = Daytona::Daytona.new
#   sandboxes = daytona.bulk_create(
#     [Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 3, sandbox_name_prefix: 'batch-a')],
#     await_started: true
#   )

require_relative 'daytona/version'
require_relative 'daytona/errors'
require_relative 'daytona/retry_policy'
require_relative 'daytona/config'
require_relative 'daytona/api_calls'
require_relative 'daytona/common/daytona'
require_relative 'daytona/process'
require_relative 'daytona/multipart_stream'
require_relative 'daytona/file_system'
require_relative 'daytona/sandbox'
require_relative 'daytona/snapshot_service'
require_relative 'daytona/daytona'
