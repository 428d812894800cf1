# frozen_string_literal: true

# Fleets against a live stack: labels and env per bulk item, bulk delete by label, and retries
# that never create twice (a proxy drops the first answer after the API has processed it).
#   RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- rspec libs/sdk-ruby/e2e

require_relative 'e2e_helper'
require_relative 'cutting_proxy'

RSpec.describe 'Fleets against a live stack' do
  let(:daytona) { E2eHelpers.client }
  let(:run) { "rb-fleet-#{SecureRandom.hex(3)}" }
  let(:created) { [] }

  # Deletes what the example created and waits until each is destroyed, so the next example has
  # the runner's room.
  after do
    delete_all(daytona, created.reject { |sandbox| sandbox.state == 'destroyed' })
    until_destroyed(created)
    expect(live_sandboxes_named(daytona, run)).to eq([])
  end

  def until_destroyed(sandboxes, timeout: 30)
    deadline = Time.now + timeout
    sandboxes.each do |sandbox|
      until sandbox.state == 'destroyed'
        raise "#{sandbox.name} is still #{sandbox.state}" if Time.now > deadline

        sleep 0.1
        sandbox.refresh
      end
    end
  end

  def ids(sandboxes) = sandboxes.map(&:id).sort

  it 'gives every sandbox of an item its labels and env, and the whole request one bulk-request label' do
    sandboxes = daytona.bulk_create([
                                      item("#{run}-a", 2, labels: { 'fleet' => run, 'item' => 'a' }, env: { 'FLEET_ITEM' => 'alpha' }),
                                      item("#{run}-b", 2, labels: { 'fleet' => run, 'item' => 'b' }, env: { 'FLEET_ITEM' => 'beta' })
                                    ], await_started: true, timeout: 60)
    created.concat(sandboxes)

    expect(sandboxes.map(&:name)).to eq(expected_names("#{run}-a", 2) + expected_names("#{run}-b", 2))
    expect(sandboxes.map(&:state)).to all(eq('started'))
    request_id = sandboxes.first.bulk_request_id
    expect(request_id).to match(/\A\h{8}-\h{4}-\h{4}-\h{4}-\h{12}\z/)
    expect(sandboxes.map(&:labels)).to eq(%w[a a b b].map { |i| { 'fleet' => run, 'item' => i, Daytona::BULK_REQUEST_LABEL => request_id } })
    seen = sandboxes.map { |sandbox| sandbox.process.execute_command('echo "$FLEET_ITEM"').result }
    expect(seen).to eq(["alpha\n", "alpha\n", "beta\n", "beta\n"])
    expect(ids(daytona.list(labels: { Daytona::BULK_REQUEST_LABEL => request_id }).items)).to eq(ids(sandboxes))
  end

  it 'refuses a platform label in an item with reserved_label, creating nothing' do
    expect { daytona.bulk_create([item("#{run}-rl", 1, labels: { Daytona::BULK_REQUEST_LABEL => 'mine' })]) }
      .to raise_error(Daytona::ValidationError) { |error| expect([error.status_code, error.code]).to eq([400, 'reserved_label']) }
  end

  it 'bulk delete by label destroys exactly the sandboxes carrying it' do
    doomed = daytona.bulk_create([item("#{run}-del", 3, labels: { 'fleet' => run, 'wave' => 'doomed' })], await_started: true, timeout: 60)
    kept = daytona.bulk_create([item("#{run}-keep", 2, labels: { 'fleet' => run, 'wave' => 'kept' })], await_started: true, timeout: 60)
    created.concat(doomed, kept)

    expect(daytona.bulk_delete(labels: { 'fleet' => run, 'wave' => 'doomed' })).to eq(3)

    until_destroyed(doomed)
    expect(kept.map { |sandbox| sandbox.refresh.state }).to eq(%w[started started])
    expect(ids(live_sandboxes_named(daytona, run))).to eq(ids(kept))
    expect(kept.first.process.execute_command('echo still here').result).to eq("still here\n")
    expect(daytona.bulk_delete(labels: { 'fleet' => run, 'wave' => 'doomed' })).to eq(0)
  end

  it 'refuses a bulk delete with an empty selector as empty_selector, deleting nothing' do
    created.concat(daytona.bulk_create([item(run, 1)]))

    [{}, { labels: {} }, { ids: [] }].each do |selector|
      expect { daytona.bulk_delete(**selector) }
        .to raise_error(Daytona::ValidationError) { |error| expect([error.status_code, error.code]).to eq([400, 'empty_selector']) }
    end
    expect(ids(live_sandboxes_named(daytona, run))).to eq(ids(created))
  end

  describe 'an SDK retry after a dropped connection creates once' do
    def through_proxy(cut_target)
      proxy = CuttingProxy.new(ENV.fetch('DAYTONA_API_URL'), cut_target)
      yield proxy, Daytona::Daytona.new(api_key: ENV.fetch('DAYTONA_API_KEY'), api_url: proxy.url)
    ensure
      proxy&.close
    end

    def keys(proxy, target) = proxy.requests.select { |r| r.target == target }.map(&:idempotency_key)

    it 'bulk_create: the first answer is cut off after the API created the sandboxes; the retry answers the same ones' do
      through_proxy('POST /api/sandbox/bulk') do |proxy, via_proxy|
        sandboxes = via_proxy.bulk_create([item(run, 2)], await_started: true, timeout: 60)
        created.concat(sandboxes)

        expect(proxy.cuts).to eq(1)
        sent = keys(proxy, 'POST /api/sandbox/bulk')
        expect(sent.size).to eq(2)
        expect(sent.first).not_to be_nil
        expect(sent.last).to eq(sent.first)
        expect(sandboxes.map(&:name)).to eq(expected_names(run, 2))
        expect(sandboxes.map(&:state)).to all(eq('started'))
        expect(ids(daytona.list(labels: { Daytona::BULK_REQUEST_LABEL => sandboxes.first.bulk_request_id }).items)).to eq(ids(sandboxes))
        expect(ids(live_sandboxes_named(daytona, run))).to eq(ids(sandboxes))
      end
    end

    it 'create: the first answer is cut off after the API created the sandbox; the retry answers the same one' do
      through_proxy('POST /api/sandbox') do |proxy, via_proxy|
        sandbox = via_proxy.create({ name: run }, timeout: 30)
        created << sandbox

        expect(proxy.cuts).to eq(1)
        sent = keys(proxy, 'POST /api/sandbox')
        expect(sent.size).to eq(2)
        expect(sent.first).not_to be_nil
        expect(sent.last).to eq(sent.first)
        expect(sandbox.state).to eq('started')
        expect(live_sandboxes_named(daytona, run).map(&:id)).to eq([sandbox.id])
      end
    end
  end
end
