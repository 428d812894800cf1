# frozen_string_literal: true

# Smoke test of the generated Ruby client against a running API: the types it hands back for
# list, bulk create, delete and an error. Needs DAYTONA_API_URL and DAYTONA_API_KEY.
#
#   rspec -I libs/api-client-ruby/lib libs/api-client-ruby/smoke

require 'daytona_api_client'
require 'json'
require 'securerandom'
require 'uri'

RSpec.describe 'the generated Ruby client against a running API' do
  let(:sandbox_api) do
    url = ENV.fetch('DAYTONA_API_URL', '')
    key = ENV.fetch('DAYTONA_API_KEY', '')
    raise 'DAYTONA_API_URL and DAYTONA_API_KEY must be set to a running API and one of its keys' if url.empty? || key.empty?

    uri = URI(url)
    config = DaytonaApiClient::Configuration.new
    config.scheme = uri.scheme
    config.host = "#{uri.host}:#{uri.port}"
    config.base_path = uri.path
    config.access_token = key
    DaytonaApiClient::SandboxApi.new(DaytonaApiClient::ApiClient.new(config))
  end

  def unique_prefix
    "smoke-rb-#{SecureRandom.hex(4)}"
  end

  it 'lists sandboxes, bulk-creates two typed sandboxes and deletes them' do
    expect(sandbox_api.list_sandboxes).to be_a(DaytonaApiClient::PaginatedSandboxes)

    prefix = unique_prefix
    request = DaytonaApiClient::BulkCreateSandbox.new(
      items: [DaytonaApiClient::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 2, sandbox_name_prefix: prefix)],
      await_started: false
    )
    sandboxes = sandbox_api.bulk_create_sandbox(request)
    begin
      expect(sandboxes.map(&:name)).to eq(["#{prefix}-00001", "#{prefix}-00002"])
      sandboxes.each do |sandbox|
        expect(sandbox).to be_a(DaytonaApiClient::Sandbox)
        # Ruby has no enum type: the generator checks the value against SandboxState's constants.
        expect(DaytonaApiClient::SandboxState.all_vars).to include(sandbox.state)
        expect(sandbox.created_at).to be_a(Time)
      end
    ensure
      statuses = sandboxes.map { |sandbox| sandbox_api.delete_sandbox_with_http_info(sandbox.id)[1] }
    end
    expect(statuses).to eq([200, 200])
  end

  it 'raises ApiError with status 400 and code validation_failed for a bad request' do
    # The generated model enforces the spec's `minimum: 1` itself ...
    expect do
      DaytonaApiClient::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 0, sandbox_name_prefix: unique_prefix)
    end.to raise_error(ArgumentError)
    # ... so send a plain hash, which the client serializes as it is, to see the server's 400.
    bad_request = { items: [{ snapshotIdOrName: 'default', count: 0, sandboxNamePrefix: unique_prefix }] }
    expect { sandbox_api.bulk_create_sandbox(bad_request) }.to raise_error(DaytonaApiClient::ApiError) { |error|
      expect(error.code).to eq(400)
      expect(JSON.parse(error.response_body)['code']).to eq('validation_failed')
    }
  end
end
