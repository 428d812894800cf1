# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe Daytona::Process do
  include_context 'with a stub API'

  let(:sandbox) do
    dto = sandbox_json(name: 'box', state: 'started')
    api.on('GET', '/sandbox/box', body: dto)
    daytona.get('box')
  end

  it 'posts the command to the toolbox and returns exit code and output' do
    api.on('POST', "/toolbox/#{sandbox.id}/toolbox/process/execute", body: { exitCode: 0, result: "hello\n" })

    response = sandbox.process.execute_command('echo hello')

    expect(response.exit_code).to eq(0)
    expect(response.result).to eq("hello\n")
    request = api.received.last
    expect(request.json).to eq('command' => 'echo hello')
    expect(request.headers['authorization']).to eq(['Bearer dtn_test'])
  end

  it 'passes cwd, env and timeout' do
    api.on('POST', "/toolbox/#{sandbox.id}/toolbox/process/execute", body: { exitCode: 124, result: '' })

    response = sandbox.process.execute_command('sleep 10', cwd: 'app', env: { 'CI' => '1' }, timeout: 1)

    expect(response.exit_code).to eq(124)
    expect(api.received.last.json).to eq('command' => 'sleep 10', 'cwd' => 'app', 'env' => { 'CI' => '1' }, 'timeout' => 1)
  end

  it 'raises ConflictError when the sandbox is not started' do
    api.on('POST', "/toolbox/#{sandbox.id}/toolbox/process/execute",
           status: 409, body: error_json(409, 'sandbox_not_started'))

    expect { sandbox.process.execute_command('true') }
      .to raise_error(Daytona::ConflictError) { |error| expect(error.code).to eq('sandbox_not_started') }
  end
end
