# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe Daytona::RetryPolicy do
  include_context 'with a stub API'

  let(:uuid) { /\A\h{8}-\h{4}-4\h{3}-[89ab]\h{3}-\h{12}\z/ }

  def client(draw: 0.999, **options)
    Daytona::Daytona.new(api_key: 'dtn_test', api_url: api.url, **options).tap { |d| @clock = FakeClock.install(d, draw) }
  end

  def item = Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: 2, sandbox_name_prefix: 'retry')

  def unavailable(headers = {}) = { status: 503, body: error_json(503, 'database_unavailable'), headers: headers }

  # The Idempotency-Keys of the recorded requests to `method path`, in order.
  def keys(requests, method, path)
    requests.select { |r| r.method == method && r.path == path }.map { |r| r.headers['idempotency-key']&.first }
  end

  it 'create and bulk_create send a fresh UUID Idempotency-Key per call, or the caller\'s own' do
    api.on('POST', '/sandbox', body: sandbox_json(state: 'started'))
    api.on('POST', '/sandbox/bulk', body: [sandbox_json])
    daytona = client

    2.times { daytona.create }
    daytona.create(idempotency_key: 'my-create-1')
    daytona.bulk_create([item])
    daytona.bulk_create([item], idempotency_key: 'my-bulk-1')

    requests = api.received
    first, second, own = keys(requests, 'POST', '/sandbox')
    expect([first, second]).to all(match(uuid))
    expect(first).not_to eq(second)
    expect(own).to eq('my-create-1')
    expect(keys(requests, 'POST', '/sandbox/bulk')).to match([uuid, 'my-bulk-1'])
  end

  it 'sends a bulk create cut off midway again with the same key and body, and answers once' do
    dtos = [sandbox_json(name: 'retry-00001'), sandbox_json(name: 'retry-00002')]
    api.on('POST', '/sandbox/bulk', { body: dtos, cut: true }, { body: dtos })

    sandboxes = client(draw: 0.5).bulk_create([item])

    expect(sandboxes.map(&:name)).to eq(%w[retry-00001 retry-00002])
    requests = api.received
    sent = keys(requests, 'POST', '/sandbox/bulk')
    expect(sent.size).to eq(2)
    expect(sent.uniq.size).to eq(1)
    expect(requests.map(&:json).uniq.size).to eq(1)
    expect(@clock.sleeps).to eq([0.25]) # half of the first retry's 0.5 s ceiling
  end

  it 'sends a create whose connection is reset again with the same key' do
    dto = sandbox_json(name: 'once', state: 'started')
    api.on('POST', '/sandbox', { reset: true }, { reset: true }, { body: dto })

    expect(client.create({ name: 'once' }).id).to eq(dto[:id])

    sent = keys(api.received, 'POST', '/sandbox')
    expect(sent.size).to eq(3)
    expect(sent.uniq.size).to eq(1)
    expect(@clock.sleeps).to match([be_within(1e-6).of(0.4995), be_within(1e-6).of(0.999)])
  end

  it 'tries a refused connection 1 + max_retries times' do
    daytona = Daytona::Daytona.new(api_key: 'k', api_url: StubApi.closed_port_url, max_retries: 2)
    clock = FakeClock.install(daytona, 0.999)

    expect { daytona.list }.to raise_error(Daytona::ConnectionError)
    expect(clock.sleeps).to match([be_within(1e-6).of(0.4995), be_within(1e-6).of(0.999)])
  end

  it 'backs off a 503 without Retry-After with full jitter, doubling up to 8 s, until max_retries' do
    api.on('GET', '/sandbox/busy', unavailable)

    expect { client(max_retries: 6, request_timeout: 600).get('busy') }
      .to raise_error(Daytona::ServerError) { |error| expect([error.status_code, error.code]).to eq([503, 'database_unavailable']) }

    expect(api.received.size).to eq(7)
    expect(@clock.sleeps).to match([0.4995, 0.999, 1.998, 3.996, 7.992, 7.992].map { |s| be_within(1e-6).of(s) })
  end

  it 'waits a random fraction of each ceiling' do
    api.on('GET', '/sandbox/busy', unavailable, unavailable, { body: sandbox_json(name: 'busy') })
    client(draw: 0.1).get('busy')
    expect(@clock.sleeps).to match([be_within(1e-6).of(0.05), be_within(1e-6).of(0.1)])
  end

  it 'waits exactly a 429\'s Retry-After in seconds' do
    api.on('GET', '/sandbox/x', { status: 429, body: error_json(429, 'rate_limited'), headers: { 'Retry-After' => '2' } },
           { body: sandbox_json(name: 'x') })
    expect(client.get('x').name).to eq('x')
    expect(@clock.sleeps).to eq([2.0])
  end

  it 'waits until a 503\'s Retry-After given as an HTTP date' do
    api.on('DELETE', '/sandbox/later', unavailable('Retry-After' => (Time.now + 5).httpdate), { body: sandbox_json(state: 'destroyed') })
    client.delete('later')
    expect(@clock.sleeps.size).to eq(1)
    expect(@clock.sleeps.first).to be > 3
    expect(@clock.sleeps.first).to be <= 5
  end

  it 'does not wait for a Retry-After beyond the call\'s deadline: the error comes at once' do
    api.on('GET', '/sandbox/x', status: 429, body: error_json(429, 'rate_limited'), headers: { 'Retry-After' => '30' })

    expect { client(request_timeout: 10).get('x') }.to raise_error(Daytona::RateLimitError) { |e| expect(e.retry_after).to eq(30) }
    expect(api.received.size).to eq(1)
    expect(@clock.sleeps).to be_empty
  end

  it 'stops retrying at the call\'s deadline, whatever max_retries allows' do
    api.on('GET', '/sandbox/x', unavailable('Retry-After' => '1'))

    expect { client(request_timeout: 2.5, max_retries: 10).get('x') }.to raise_error(Daytona::ServerError)
    # Tried at 0 s and 1 s, then a wait to 2 s; a wait to 3 s would pass the 2.5 s deadline.
    expect(api.received.size).to eq(3)
    expect(@clock.sleeps).to eq([1.0, 1.0])
  end

  it 'makes one attempt with max_retries: 0' do
    api.on('GET', '/sandbox/x', unavailable)
    expect { client(max_retries: 0).get('x') }.to raise_error(Daytona::ServerError)
    expect(api.received.size).to eq(1)
  end

  it 'retries a 409 idempotency_key_in_progress with the same key' do
    api.on('POST', '/sandbox/bulk', { status: 409, body: error_json(409, 'idempotency_key_in_progress') }, { body: [sandbox_json] })
    expect(client.bulk_create([item]).size).to eq(1)
    sent = keys(api.received, 'POST', '/sandbox/bulk')
    expect(sent.size).to eq(2)
    expect(sent.uniq.size).to eq(1)
  end

  {
    'a command (it may have run)' => [:command, { status: 503, body: { statusCode: 503, code: 'database_unavailable', message: 'later' } }, Daytona::ServerError],
    'a 500' => [:get, { status: 500, body: { statusCode: 500, code: 'internal_error', message: 'boom' } }, Daytona::ServerError],
    'a 409 name_conflict' => [:create, { status: 409, body: { statusCode: 409, code: 'name_conflict', message: 'taken' } }, Daytona::ConflictError],
    'a 422 idempotency_key_reused' =>
      [:create, { status: 422, body: { statusCode: 422, code: 'idempotency_key_reused', message: 'other body' } }, Daytona::ValidationError]
  }.each do |name, (call, reply, error_class)|
    it "does not retry #{name}" do
      dto = sandbox_json(state: 'started')
      api.on('GET', '/sandbox/by-name', body: dto)
      path = { command: "/toolbox/#{dto[:id]}/toolbox/process/execute", get: '/sandbox/x', create: '/sandbox' }.fetch(call)
      api.on(call == :get ? 'GET' : 'POST', path, reply)
      daytona = client

      attempt = {
        command: -> { daytona.get('by-name').process.execute_command('date >> log') },
        get: -> { daytona.get('x') },
        create: -> { daytona.create({ name: 'x' }) }
      }.fetch(call)
      expect { attempt.call }.to raise_error(error_class)
      expect(api.received.count { |r| r.path == path }).to eq(1)
      expect(@clock.sleeps).to be_empty
    end
  end

  it 'does not retry a timeout: the call\'s deadline has passed' do
    api.on('GET', '/sandbox/slow', body: sandbox_json, delay: 1)
    expect { client(request_timeout: 0.3).get('slow') }.to raise_error(Daytona::TimeoutError, /within 0.3 s/)
    expect(api.received.size).to eq(1)
  end

  it 'names the key of a bulk create that cannot get through, to repeat it without creating twice' do
    api.on('POST', '/sandbox/bulk', reset: true)
    expect { client(max_retries: 1).bulk_create([item], idempotency_key: 'bulk-7') }
      .to raise_error(Daytona::ConnectionError, /retry-00001.*idempotency_key: 'bulk-7'/)
    expect(api.received.size).to eq(2)
  end

  it 'retries the snapshot reads, deletes and polls, but never a snapshot create (it has no Idempotency-Key)' do
    pending_json = snapshot_json(name: 'py')
    api.on('POST', '/snapshots', { body: pending_json }, unavailable)
    api.on('GET', "/snapshots/#{pending_json[:id]}", unavailable, { body: pending_json.merge(state: 'active') })
    api.on('GET', '/snapshots', unavailable, { body: { items: [pending_json], total: 1, page: 1, totalPages: 1 } })
    api.on('DELETE', '/snapshots/py', unavailable, { status: 200, body: '' })
    daytona = client

    expect(daytona.snapshot.create(name: 'py', image: 'py:1', timeout: 30).state).to eq('active')
    expect(daytona.snapshot.list.items.map(&:name)).to eq(['py'])
    daytona.snapshot.delete('py')
    expect { daytona.snapshot.create(name: 'py2', image: 'py:1') }.to raise_error(Daytona::ServerError)

    counts = api.received.map { |r| "#{r.method} #{r.path}" }.tally
    expect(counts).to eq('POST /snapshots' => 2, "GET /snapshots/#{pending_json[:id]}" => 2, 'GET /snapshots' => 2,
                         'DELETE /snapshots/py' => 2)
  end
end
