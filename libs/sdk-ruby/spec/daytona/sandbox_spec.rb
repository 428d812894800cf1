# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe Daytona::Sandbox do
  include_context 'with a stub API'

  let(:dto) { sandbox_json(name: 'waiter', state: 'creating') }
  let(:sandbox) do
    api.on('GET', '/sandbox/waiter', body: dto)
    daytona.get('waiter')
  end

  def monotonic
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  describe '#wait_until_started' do
    it 'polls until the sandbox is started' do
      sandbox
      api.on('GET', "/sandbox/#{dto[:id]}", { body: dto }, { body: dto.merge(state: 'starting') },
             { body: dto.merge(state: 'started') })

      expect(sandbox.wait_until_started(timeout: 10)).to be(sandbox)
      expect(sandbox.state).to eq('started')
    end

    it 'raises SandboxStateError with the reason as soon as the sandbox is in error' do
      sandbox
      api.on('GET', "/sandbox/#{dto[:id]}", body: dto.merge(state: 'error', errorReason: 'bwrap: out of memory'))
      started = monotonic

      expect { sandbox.wait_until_started(timeout: 30) }.to raise_error(Daytona::SandboxStateError) { |error|
        expect(error.state).to eq('error')
        expect(error.error_reason).to eq('bwrap: out of memory')
        expect(error.sandbox_id).to eq(dto[:id])
        expect(error.message).to include('waiter', 'bwrap: out of memory')
      }
      expect(monotonic - started).to be < 2
    end

    it 'raises SandboxStateError for build_failed without polling' do
      api.on('GET', '/sandbox/waiter', body: dto.merge(state: 'build_failed'))

      expect { daytona.get('waiter').wait_until_started }.to raise_error(Daytona::SandboxStateError, /build_failed/)
      expect(api.received.size).to eq(1)
    end

    it 'raises TimeoutError within about the timeout when the sandbox stays creating' do
      sandbox
      api.on('GET', "/sandbox/#{dto[:id]}", body: dto)
      started = monotonic

      expect { sandbox.wait_until_started(timeout: 0.5) }
        .to raise_error(Daytona::TimeoutError, /"waiter" .* is still creating after 0.5 s/)
      expect(monotonic - started).to be_between(0.4, 1.5)
    end

    it 'is bounded even when the API stops answering' do
      sandbox
      api.on('GET', "/sandbox/#{dto[:id]}", body: dto, delay: 3)
      started = monotonic

      expect { sandbox.wait_until_started(timeout: 0.3) }.to raise_error(Daytona::TimeoutError)
      expect(monotonic - started).to be < 1.6
    end
  end

  it 'exposes the server fields and refreshes them' do
    api.on('GET', "/sandbox/#{dto[:id]}", body: dto.merge(state: 'started', labels: { 'a' => 'b' }))

    expect(sandbox.refresh.state).to eq('started')
    expect(sandbox).to have_attributes(name: 'waiter', snapshot: 'default', region: 'local', cpu: 1, memory: 1,
                                       disk: 3, labels: { 'a' => 'b' }, error_reason: nil)
    expect(sandbox.to_h).to include(name: 'waiter')
  end

  it 'deletes itself and follows the destroyed state' do
    api.on('DELETE', "/sandbox/#{dto[:id]}", body: dto.merge(state: 'destroyed'))

    expect(sandbox.delete.state).to eq('destroyed')
  end
end
