# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe 'Daytona::Sandbox start, stop and intervals' do
  include_context 'with a stub API'

  let(:dto) { sandbox_json(name: 'job', state: 'started') }
  let(:path) { "/sandbox/#{dto[:id]}" }

  def sandbox_in(state)
    api.on('GET', '/sandbox/job', body: dto.merge(state: state))
    daytona.get('job').tap { api.received }
  end

  it 'start asks the server, then waits until the sandbox is started' do
    sandbox = sandbox_in('stopped')
    api.on('POST', "#{path}/start", body: dto.merge(state: 'starting'))
    api.on('GET', path, { body: dto.merge(state: 'starting') }, { body: dto.merge(state: 'started') })

    expect(sandbox.start(10)).to be(sandbox)

    expect(sandbox.state).to eq('started')
    expect(api.received.map { |r| "#{r.method} #{r.path}" }).to eq(["POST #{path}/start", "GET #{path}", "GET #{path}"])
  end

  it 'daytona.start and daytona.stop act on the sandbox they are given' do
    sandbox = sandbox_in('stopped')
    api.on('POST', "#{path}/start", body: dto.merge(state: 'started'))
    api.on('POST', "#{path}/stop", body: dto.merge(state: 'stopped'))

    expect(daytona.start(sandbox).state).to eq('started')
    expect(daytona.stop(sandbox).state).to eq('stopped')
    expect(api.received.map { |r| [r.method, r.path, r.query] }).to eq([['POST', "#{path}/start", nil], ['POST', "#{path}/stop", 'force=false']])
  end

  it 'stop sends force and waits until the sandbox is stopped' do
    sandbox = sandbox_in('started')
    api.on('POST', "#{path}/stop", body: dto.merge(state: 'stopping'))
    api.on('GET', path, body: dto.merge(state: 'stopped'))

    sandbox.stop(10, force: true)

    expect(sandbox.state).to eq('stopped')
    expect(api.received.first.query).to eq('force=true')
  end

  it 'stop gives up with TimeoutError at its timeout' do
    sandbox = sandbox_in('started')
    api.on('POST', "#{path}/stop", body: dto.merge(state: 'stopping'))
    api.on('GET', path, body: dto.merge(state: 'stopping'))

    expect { sandbox.stop(0.3) }.to raise_error(Daytona::TimeoutError, /still stopping after 0.3 s/)
  end

  it 'a start that ends in error is a SandboxStateError with the reason' do
    sandbox = sandbox_in('stopped')
    api.on('POST', "#{path}/start", body: dto.merge(state: 'starting'))
    api.on('GET', path, body: dto.merge(state: 'error', errorReason: 'image gone'))

    expect { sandbox.start }.to raise_error(Daytona::SandboxStateError) { |error|
      expect([error.state, error.error_reason]).to eq(['error', 'image gone'])
    }
  end

  it 'a start the server refuses is a ConflictError with its code and details' do
    sandbox = sandbox_in('destroyed')
    api.on('POST', "#{path}/start", status: 409, body: error_json(409, 'sandbox_state_conflict', 'Sandbox "job" is destroyed', { state: 'destroyed' }))

    expect { sandbox.start }.to raise_error(Daytona::ConflictError) { |error|
      expect([error.status_code, error.code, error.details]).to eq([409, 'sandbox_state_conflict', { 'state' => 'destroyed' }])
    }
  end

  it 'the interval setters send the minutes and refresh the fields from the answer' do
    sandbox = sandbox_in('started')
    api.on('POST', "#{path}/autostop/42", body: dto.merge(autoStopInterval: 42))
    api.on('POST', "#{path}/autodelete/-1", body: dto.merge(autoStopInterval: 42, autoDeleteInterval: -1))

    sandbox.auto_stop_interval = 42
    expect(sandbox.auto_stop_interval).to eq(42)
    sandbox.auto_delete_interval = -1

    expect([sandbox.auto_stop_interval, sandbox.auto_delete_interval]).to eq([42, -1])
    expect(api.received.map(&:path)).to eq(["#{path}/autostop/42", "#{path}/autodelete/-1"])
    expect(sandbox).to have_attributes(user: 'daytona', target: 'local', toolbox_proxy_url: 'http://127.0.0.1:3000/api/toolbox')
  end

  it 'refuses an interval that is not a whole number without asking the server' do
    sandbox = sandbox_in('started')

    expect { sandbox.auto_stop_interval = 1.5 }.to raise_error(Daytona::ValidationError)
    expect(api.received).to eq([])
  end
end
