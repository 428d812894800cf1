# frozen_string_literal: true

# The SDK and the generated client from this repository, whatever the working directory.
$LOAD_PATH.unshift(File.expand_path('../lib', __dir__), File.expand_path('../../api-client-ruby/lib', __dir__))

require 'daytona'
require_relative 'support/stub_api'

RSpec.configure do |config|
  config.include ApiFactories
  config.disable_monkey_patching!
  config.order = :random
end

# A client of the stub API, its routes and recorded requests cleared for each example.
RSpec.shared_context 'with a stub API' do
  let(:api) { StubApi.shared.reset }
  let(:daytona) { Daytona::Daytona.new(api_key: 'dtn_test', api_url: api.url) }

  before { api }
end
