# frozen_string_literal: true

# Start, stop and the auto-stop / auto-delete intervals against a live stack:
#   node tools/e2e/with-stack.mjs -- rspec libs/sdk-ruby/e2e/lifecycle_spec.rb

require_relative 'e2e_helper'

RSpec.describe 'Sandbox lifecycle against a live stack' do
  let(:daytona) { E2eHelpers.client }
  let(:name) { "rb-life-#{SecureRandom.hex(3)}" }
  let(:alive) { 'if kill -0 "$(cat sleeper.pid)" 2>/dev/null; then echo alive; else echo gone; fi' }

  after { delete_all(daytona, live_sandboxes_named(daytona, name)) }

  it 'stop keeps the files and ends the processes; start brings the files back with new processes' do
    sandbox = daytona.create({ name: name }, timeout: 30)
    sandbox.process.execute_command('echo kept > note.txt; nohup sleep 600 >/dev/null 2>&1 & echo $! > sleeper.pid')
    expect(sandbox.process.execute_command(alive).result).to eq("alive\n")

    expect(sandbox.stop.state).to eq('stopped')
    expect { sandbox.process.execute_command('true') }.to raise_error(Daytona::ConflictError)
    expect(daytona.stop(sandbox).state).to eq('stopped') # stopping again does nothing

    expect(daytona.start(sandbox).state).to eq('started')
    expect(sandbox.process.execute_command("cat note.txt; #{alive}").result).to eq("kept\ngone\n")
  end

  it 'sets the intervals, reads them back, and refuses a negative auto-stop before sending it' do
    sandbox = daytona.create({ name: name }, timeout: 30)

    sandbox.auto_stop_interval = 45
    sandbox.auto_delete_interval = 90
    expect([sandbox.auto_stop_interval, sandbox.auto_delete_interval]).to eq([45, 90])
    again = daytona.get(sandbox.id)
    expect([again.auto_stop_interval, again.auto_delete_interval]).to eq([45, 90])

    # Refused before it is sent (the spec's minimum is 0), and nothing changes.
    expect { sandbox.auto_stop_interval = -5 }.to raise_error(Daytona::ValidationError) { |error|
      expect([error.status_code, error.code]).to eq([nil, 'validation_failed'])
    }
    expect(daytona.get(sandbox.id).auto_stop_interval).to eq(45)
  end

  it 'start of a destroyed sandbox is a ConflictError with sandbox_state_conflict, and it stays destroyed' do
    sandbox = daytona.create({ name: name }, timeout: 30)
    sandbox.delete

    expect { sandbox.start }.to raise_error(Daytona::ConflictError) { |error|
      expect([error.status_code, error.code]).to eq([409, 'sandbox_state_conflict'])
    }
    expect(%w[destroying destroyed]).to include(daytona.get(sandbox.id).state)
  end

  it 'auto-delete 0 destroys the sandbox once it stops' do
    sandbox = daytona.create({ name: name }, timeout: 30)
    sandbox.auto_delete_interval = 0
    begin
      sandbox.stop
    rescue Daytona::SandboxStateError
      # the reconciler may destroy it before the wait sees it stopped
    end
    deadline = Time.now + 30
    until sandbox.refresh.state == 'destroyed'
      raise "still #{sandbox.state} 30 s after stopping with auto-delete 0" if Time.now > deadline

      sleep 0.2
    end
  end
end
