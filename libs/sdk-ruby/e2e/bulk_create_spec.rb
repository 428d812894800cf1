# frozen_string_literal: true

# Daytona#bulk_create against a live stack with a real runner. The allow_under example needs a small runner:
#   RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- rspec libs/sdk-ruby/e2e

require_relative 'e2e_helper'

RSpec.describe 'Daytona#bulk_create against a live stack' do
  let(:daytona) { E2eHelpers.client }
  let(:run) { "rb-e2e-#{SecureRandom.hex(3)}" }
  let(:created) { [] }

  after do
    delete_all(daytona, created)
    expect(live_sandboxes_named(daytona, run)).to eq([])
  end

  it 'without await_started answers at once; wait_until_started then sees each sandbox started' do
    prefix = "#{run}-a"
    sandboxes = daytona.bulk_create([item(prefix, 3)], timeout: 30)
    created.concat(sandboxes)

    expect(sandboxes.map(&:name)).to eq(expected_names(prefix, 3))
    sandboxes.each { |sandbox| sandbox.wait_until_started(timeout: 30) }
    expect(sandboxes.map(&:state)).to all(eq('started'))
    expect(daytona.get(sandboxes.last.name).state).to eq('started')
  end

  it 'with await_started answers with started sandboxes that run commands at once' do
    prefix = "#{run}-b"
    sandboxes = daytona.bulk_create([item(prefix, 3)], await_started: true, timeout: 60)
    created.concat(sandboxes)

    expect(sandboxes.map(&:state)).to all(eq('started'))
    sandboxes.each do |sandbox|
      response = sandbox.process.execute_command('echo hello')
      expect([response.exit_code, response.result]).to eq([0, "hello\n"])
    end
    # Each sandbox keeps its own files.
    sandboxes.first.process.execute_command('echo mine > note.txt')
    expect(sandboxes.last.process.execute_command('cat note.txt').exit_code).not_to eq(0)
  end

  it 'with allow_under creates only what fits, so the caller sees the shortfall; without it, a full runner is an error' do
    capacity = runner_capacity_cpu
    used = daytona.list(limit: 1000).items.select { |sandbox| holds_capacity?(sandbox) }.sum(&:cpu)
    free = capacity - used
    expect(free).to be >= 2
    requested = free + 3

    sandboxes = daytona.bulk_create([item("#{run}-c", 1), item("#{run}-d", requested, allow_under: true)])
    created.concat(sandboxes)

    under = sandboxes.select { |sandbox| sandbox.name.start_with?("#{run}-d-") }
    expect(sandboxes.first.name).to eq("#{run}-c-00001")
    expect(under.map(&:name)).to eq(expected_names("#{run}-d", free - 1))
    expect(under.size).to be < requested

    expect { daytona.bulk_create([item("#{run}-e", 1)]) }.to raise_error(Daytona::ServerError) { |error|
      expect(error.status_code).to eq(503)
      expect(error.code).to eq('insufficient_capacity')
    }
    expect(live_sandboxes_named(daytona, "#{run}-e")).to eq([])
  end

  it 'surfaces a request only the server rejects as ValidationError with code validation_failed, creating nothing' do
    expect { daytona.bulk_create([item("#{run}-z", 0)]) }.to raise_error(Daytona::ValidationError) { |error|
      expect(error.status_code).to eq(400)
      expect(error.code).to eq('validation_failed')
      expect(error.details).to be_a(Hash)
    }
    expect { daytona.bulk_create([item("#{run}-y", 1), item("#{run}-y", 1)]) }
      .to raise_error(Daytona::ValidationError) { |error| expect(error.status_code).to eq(400) }
    expect(live_sandboxes_named(daytona, run)).to eq([])
  end

  it 'a taken name is a ConflictError with code name_conflict' do
    first = daytona.bulk_create([item("#{run}-n", 1)])
    created.concat(first)

    expect { daytona.bulk_create([item("#{run}-n", 1)]) }
      .to raise_error(Daytona::ConflictError) { |error| expect(error.code).to eq('name_conflict') }
  end
end
