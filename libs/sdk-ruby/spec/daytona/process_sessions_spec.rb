# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe 'Daytona::Process code runs and sessions' do
  include_context 'with a stub API'

  let(:dto) { sandbox_json(name: 'proc', state: 'started') }
  let(:sandbox) do
    api.on('GET', '/sandbox/proc', body: dto)
    daytona.get('proc').tap { api.received }
  end
  let(:base) { "/toolbox/#{dto[:id]}/process" }
  let(:session) do
    { sessionId: 'build', commands: [{ id: 'cmd-1', command: 'export MODE=ci', exitCode: 0 }, { id: 'cmd-2', command: 'sleep 5' }] }
  end

  it 'code_run sends the code, language, argv, envs and timeout, and answers the result' do
    api.on('POST', "#{base}/code-run", body: { exitCode: 3, result: "a fast\n" })
    sandbox

    response = sandbox.process.code_run(code: 'import sys; print(sys.argv[1])', language: 'python', timeout: 90,
                                        params: Daytona::CodeRunParams.new(argv: ['a'], env: { 'MODE' => 'fast' }))

    expect(response.to_h).to eq(exit_code: 3, result: "a fast\n")
    expect(api.received.first.json).to eq('code' => 'import sys; print(sys.argv[1])', 'language' => 'python', 'argv' => ['a'],
                                          'envs' => { 'MODE' => 'fast' }, 'timeout' => 90)
  end

  it 'code_run without options sends only the code; a missing interpreter is the server\'s code' do
    api.on('POST', "#{base}/code-run", status: 422, body: error_json(422, 'interpreter_not_found', "no node on the sandbox's PATH"))
    sandbox

    expect { sandbox.process.code_run(code: 'console.log(1)') }.to raise_error(Daytona::ValidationError) { |error|
      expect([error.status_code, error.code]).to eq([422, 'interpreter_not_found'])
    }
    expect(api.received.first.json).to eq('code' => 'console.log(1)')
  end

  it 'creates, runs in, reads, lists and deletes sessions on their routes' do
    api.on('POST', "#{base}/session", status: 204, body: '')
    api.on('GET', "#{base}/session", body: [session])
    api.on('GET', "#{base}/session/build", body: session)
    api.on('POST', "#{base}/session/build/exec", body: { cmdId: 'cmd-3', exitCode: 0, output: "ci\n", stdout: "ci\n", stderr: '' })
    api.on('GET', "#{base}/session/build/command/cmd-2", body: { id: 'cmd-2', command: 'sleep 5' })
    api.on('GET', "#{base}/session/build/command/cmd-2/logs", body: { output: "out\nerr\n", stdout: "out\n", stderr: "err\n", truncated: false })
    api.on('DELETE', "#{base}/session/build", status: 204, body: '')
    sandbox
    process = sandbox.process

    expect(process.create_session('build')).to be_nil
    result = process.execute_session_command(session_id: 'build', req: Daytona::SessionExecuteRequest.new(command: 'echo $MODE', suppress_input_echo: true))
    expect([result.cmd_id, result.exit_code, result.output]).to eq(['cmd-3', 0, "ci\n"])
    found = process.get_session('build')
    expect([found.session_id, found.commands.map(&:exit_code)]).to eq(['build', [0, nil]])
    expect(process.list_sessions.map(&:session_id)).to eq(['build'])
    expect(process.get_session_command(session_id: 'build', command_id: 'cmd-2').exit_code).to be_nil
    logs = process.get_session_command_logs(session_id: 'build', command_id: 'cmd-2')
    expect([logs.stdout, logs.stderr, logs.truncated]).to eq(["out\n", "err\n", false])
    expect(process.delete_session('build')).to be_nil

    requests = api.received
    expect(requests[0].json).to eq('sessionId' => 'build')
    expect(requests[1].json).to eq('command' => 'echo $MODE', 'runAsync' => false, 'suppressInputEcho' => true)
    expect(requests.map { |r| "#{r.method} #{r.path.delete_prefix(base)}" }).to eq(
      ['POST /session', 'POST /session/build/exec', 'GET /session/build', 'GET /session', 'GET /session/build/command/cmd-2',
       'GET /session/build/command/cmd-2/logs', 'DELETE /session/build']
    )
  end

  it 'an async command answers its id; an unknown session is a NotFoundError with session_not_found' do
    api.on('POST', "#{base}/session/build/exec", body: { cmdId: 'cmd-9' })
    api.on('GET', "#{base}/session/nope", status: 404, body: error_json(404, 'session_not_found', 'no session nope'))
    sandbox

    result = sandbox.process.execute_session_command(session_id: 'build', req: { command: 'sleep 5', run_async: true })
    expect([result.cmd_id, result.exit_code]).to eq(['cmd-9', nil])
    expect(api.received.first.json).to eq('command' => 'sleep 5', 'runAsync' => true)
    expect { sandbox.process.get_session('nope') }.to raise_error(Daytona::NotFoundError) { |error| expect(error.code).to eq('session_not_found') }
  end
end
