# frozen_string_literal: true

# One sandbox through its life against a live stack:
#   node tools/e2e/with-stack.mjs -- rspec libs/sdk-ruby/e2e

require_relative 'e2e_helper'

RSpec.describe 'Daytona::Sandbox against a live stack' do
  let(:daytona) { E2eHelpers.client }
  let(:name) { "rb-e2e-one-#{SecureRandom.hex(3)}" }

  # create leaves a sandbox that failed to start in place, so its reason can be read.
  after { delete_all(daytona, live_sandboxes_named(daytona, name)) }

  it 'creates, runs commands with cwd and env, is found by name and listed, and is deleted' do
    sandbox = daytona.create({ name: name, labels: { 'suite' => 'ruby-e2e' } }, timeout: 30)
    begin
      expect(sandbox.state).to eq('started')
      sandbox.process.execute_command('mkdir -p work')
      response = sandbox.process.execute_command('echo "$GREETING from $(basename "$PWD")"', cwd: 'work',
                                                                                              env: { 'GREETING' => 'hi' })
      expect([response.exit_code, response.result]).to eq([0, "hi from work\n"])
      expect(sandbox.process.execute_command('exit 3').exit_code).to eq(3)
      expect(sandbox.process.execute_command('sleep 30', timeout: 1).exit_code).to eq(124)

      expect(daytona.get(name).id).to eq(sandbox.id)
      expect(daytona.list(labels: { 'suite' => 'ruby-e2e' }, states: ['started']).items.map(&:id)).to include(sandbox.id)
    ensure
      daytona.delete(sandbox)
    end
    expect(sandbox.state).to eq('destroyed')
    expect(daytona.list(limit: 1000).items.map(&:name)).not_to include(name)
  end

  it 'raises NotFoundError for a sandbox that does not exist, and AuthenticationError for a bad key' do
    expect { daytona.get("#{name}-missing") }.to raise_error(Daytona::NotFoundError)
    bad_key = Daytona::Daytona.new(api_key: 'dtn_not_a_key', api_url: ENV.fetch('DAYTONA_API_URL'))
    expect { bad_key.list }.to raise_error(Daytona::AuthenticationError) { |error| expect(error.status_code).to eq(401) }
  end
end
