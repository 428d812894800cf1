# frozen_string_literal: true

# Files, code runs and sessions against a live stack:
#   node tools/e2e/with-stack.mjs -- rspec libs/sdk-ruby/e2e/toolbox_spec.rb

require 'digest'
require 'tmpdir'
require 'stringio'
require_relative 'e2e_helper'

RSpec.describe 'The toolbox against a live stack' do
  let(:daytona) { E2eHelpers.client }
  let(:name) { "rb-toolbox-#{SecureRandom.hex(3)}" }
  let(:sandbox) { daytona.create({ name: name }, timeout: 30) }
  let(:fs) { sandbox.fs }

  after { delete_all(daytona, live_sandboxes_named(daytona, name)) }

  def expect_code(klass, code)
    raise_error(klass) { |error| expect(error.code).to eq(code) }
  end

  it 'uploads, lists, describes, downloads, moves and deletes files' do
    fs.create_folder('work/in', '750')
    fs.upload_file("hello\n", 'work/in/hello.txt')
    Dir.mktmpdir do |dir|
      local = File.join(dir, 'local.bin')
      File.binwrite(local, "\x00\x01\x02\xff".b)
      fs.upload_files([Daytona::FileUpload.new(local, 'work/in/binary.bin'), Daytona::FileUpload.new(StringIO.new('two'), 'work/two.txt')])

      expect(fs.list_files('work/in').map(&:name).sort).to eq(%w[binary.bin hello.txt])
      expect(fs.get_file_info('work/in')).to have_attributes(is_dir: true, permissions: '0750')
      expect(fs.get_file_info('work/in/binary.bin').size).to eq(4)
      expect(sandbox.process.execute_command('cat work/in/hello.txt work/two.txt').result).to eq("hello\ntwo")

      expect(fs.download_file('work/in/binary.bin')).to eq("\x00\x01\x02\xff".b)
      saved = File.join(dir, 'hello.txt')
      fs.download_file('work/in/hello.txt', saved)
      expect(File.read(saved)).to eq("hello\n")
      results = fs.download_files([Daytona::FileDownloadRequest.new(source: 'work/two.txt'),
                                   Daytona::FileDownloadRequest.new(source: 'work/nope.txt'),
                                   Daytona::FileDownloadRequest.new(source: 'work/in/hello.txt', destination: saved)])
      expect(results[0].result).to eq('two')
      expect(results[1].error).to be_a(Daytona::NotFoundError).and(have_attributes(code: 'file_not_found'))
      expect([results[2].result, File.read(saved)]).to eq([saved, "hello\n"])
    end

    fs.move_files('work/two.txt', 'work/in/moved.txt')
    expect { fs.get_file_info('work/two.txt') }.to expect_code(Daytona::NotFoundError, 'file_not_found')
    expect { fs.delete_file('work/in') }.to expect_code(Daytona::ConflictError, 'directory_not_empty')
    fs.delete_file('work', recursive: true)
    expect { fs.list_files('work') }.to expect_code(Daytona::NotFoundError, 'file_not_found')
  end

  it 'streams a big file both ways' do
    Dir.mktmpdir do |dir|
      local = File.join(dir, 'big.bin')
      File.open(local, 'wb') { |file| 64.times { |i| file.write((i.chr * 1024 * 1024).b) } }
      fs.upload_file(local, 'big.bin')
      back = File.join(dir, 'back.bin')
      fs.download_file('big.bin', back)

      expect(File.size(back)).to eq(64 * 1024 * 1024)
      expect(Digest::SHA256.file(back).hexdigest).to eq(Digest::SHA256.file(local).hexdigest)
    end
  end

  it 'refuses paths the user may not touch and missing files with the server\'s codes, changing nothing' do
    expect { fs.download_file('../../etc/shadow') }.to expect_code(Daytona::AuthorizationError, 'file_permission_denied')
    expect { fs.upload_file("root::0:0::/:/bin/sh\n", '../../etc/shadow') }.to expect_code(Daytona::AuthorizationError, 'file_permission_denied')
    expect { fs.download_file('missing.txt') }.to expect_code(Daytona::NotFoundError, 'file_not_found')
    expect { fs.get_file_info('missing.txt') }.to expect_code(Daytona::NotFoundError, 'file_not_found')
    check = 'head -c 4 /etc/shadow >/dev/null 2>&1 && echo readable || echo refused'
    expect(sandbox.process.execute_command(check).result).to eq("refused\n")
  end

  it 'runs python with argv and env, kills it at its timeout, and says when an interpreter is missing' do
    response = sandbox.process.code_run(code: "import os, sys\nprint(sys.argv[1], os.environ['MODE'])\nsys.exit(3)",
                                        params: Daytona::CodeRunParams.new(argv: ['first'], env: { 'MODE' => 'fast' }))
    expect(response.to_h).to eq(exit_code: 3, result: "first fast\n")
    expect(sandbox.process.code_run(code: 'import time; time.sleep(30)', timeout: 1).exit_code).to eq(124)
    expect { sandbox.process.code_run(code: 'console.log(1)', language: 'javascript') }
      .to expect_code(Daytona::ValidationError, 'interpreter_not_found')
  end

  it 'keeps a session\'s shell between commands and reads its commands back' do
    process = sandbox.process
    process.create_session('build')
    expect { process.create_session('build') }.to expect_code(Daytona::ConflictError, 'session_exists')
    process.execute_session_command(session_id: 'build', req: Daytona::SessionExecuteRequest.new(command: 'mkdir -p app && cd app && export MODE=ci'))
    result = process.execute_session_command(session_id: 'build',
                                             req: Daytona::SessionExecuteRequest.new(command: 'echo "$MODE in $(basename "$PWD")"; echo oops >&2'))
    expect([result.exit_code, result.stdout, result.stderr]).to eq([0, "ci in app\n", "oops\n"])

    async = process.execute_session_command(session_id: 'build', req: { command: 'sleep 1; echo done', run_async: true })
    expect(async.exit_code).to be_nil
    deadline = Time.now + 30
    command = nil
    loop do
      command = process.get_session_command(session_id: 'build', command_id: async.cmd_id)
      break if command.exit_code
      raise 'the async command did not end' if Time.now > deadline

      sleep 0.2
    end
    expect([command.command, command.exit_code]).to eq(['sleep 1; echo done', 0])
    expect(process.get_session_command_logs(session_id: 'build', command_id: async.cmd_id).stdout).to eq("done\n")
    expect(process.get_session('build').commands.size).to eq(3)
    expect(process.list_sessions.map(&:session_id)).to eq(['build'])
    process.delete_session('build')

    expect { process.get_session('build') }.to expect_code(Daytona::NotFoundError, 'session_not_found')
    expect { process.execute_session_command(session_id: 'nope', req: { command: 'echo hi' }) }
      .to expect_code(Daytona::NotFoundError, 'session_not_found')
    expect { process.get_session_command_logs(session_id: 'nope', command_id: 'cmd') }
      .to expect_code(Daytona::NotFoundError, 'session_not_found')
  end
end
