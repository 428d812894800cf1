# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe Daytona::Daytona do
  include_context 'with a stub API'

  def item(prefix, count, **options)
    Daytona::BulkCreateItem.new(snapshot_id_or_name: 'default', count: count, sandbox_name_prefix: prefix, **options)
  end

  describe '#bulk_create' do
    it 'posts the items in the API shape and maps each returned sandbox, in order' do
      dtos = [sandbox_json(name: 'batch-a-00001'), sandbox_json(name: 'batch-a-00002'), sandbox_json(name: 'batch-b-00001')]
      api.on('POST', '/sandbox/bulk', body: dtos)

      sandboxes = daytona.bulk_create([item('batch-a', 2), item('batch-b', 5, allow_under: true)])

      request = api.received.last
      expect(request.json).to eq(
        'items' => [
          { 'snapshotIdOrName' => 'default', 'count' => 2, 'sandboxNamePrefix' => 'batch-a', 'allowUnder' => false },
          { 'snapshotIdOrName' => 'default', 'count' => 5, 'sandboxNamePrefix' => 'batch-b', 'allowUnder' => true }
        ],
        'awaitStarted' => false
      )
      expect(request.headers['authorization']).to eq(['Bearer dtn_test'])
      expect(sandboxes).to all(be_a(Daytona::Sandbox))
      expect(sandboxes.map(&:name)).to eq(%w[batch-a-00001 batch-a-00002 batch-b-00001])
      expect(sandboxes.map(&:id)).to eq(dtos.map { |dto| dto[:id] })
      expect(sandboxes.first.state).to eq('creating')
      expect(sandboxes.first.created_at).to be_a(Time)
    end

    it 'sends awaitStarted and accepts plain hashes as items' do
      api.on('POST', '/sandbox/bulk', body: [sandbox_json(state: 'started')])

      sandboxes = daytona.bulk_create([{ snapshot_id_or_name: 'default', count: 1, sandbox_name_prefix: 'h' }],
                                      await_started: true)

      expect(api.received.last.json['awaitStarted']).to be(true)
      expect(sandboxes.first.state).to eq('started')
    end

    it 'raises ValidationError for an item hash with unknown keys, sending nothing' do
      expect { daytona.bulk_create([{ snapshot: 'default', count: 1 }]) }
        .to raise_error(Daytona::ValidationError, /Not a bulk create item/)
      expect(api.received).to be_empty
    end

    it 'returned sandboxes can run commands' do
      dto = sandbox_json(state: 'started')
      api.on('POST', '/sandbox/bulk', body: [dto])
      api.on('POST', "/toolbox/#{dto[:id]}/toolbox/process/execute", body: { exitCode: 0, result: "hello\n" })

      sandbox = daytona.bulk_create([item('run', 1)], await_started: true).first

      expect(sandbox.process.execute_command('echo hello').result).to eq("hello\n")
    end

    it 'leaves validation to the server and raises its 400 as ValidationError' do
      api.on('POST', '/sandbox/bulk', status: 400,
                                      body: error_json(400, 'validation_failed', 'count must be >= 1', { 'field' => 'items.0.count' }))

      expect { daytona.bulk_create([item('zero', 0)]) }.to raise_error(Daytona::ValidationError) { |error|
        expect(error.code).to eq('validation_failed')
        expect(error.details).to eq('field' => 'items.0.count')
      }
      expect(api.received.last.json['items'].first['count']).to eq(0)
    end

    it 'raises TimeoutError at the client-side deadline, naming the sandboxes that may exist' do
      api.on('POST', '/sandbox/bulk', body: [], delay: 1.5)
      started = Process.clock_gettime(Process::CLOCK_MONOTONIC)

      expect { daytona.bulk_create([item('slow', 1)], timeout: 0.3) }
        .to raise_error(Daytona::TimeoutError, /within 0.3 s.*slow-00001/)
      expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be < 1.2
    end

    it 'with await_started waits 30 s longer than the timeout, so the server answers first' do
      api.on('POST', '/sandbox/bulk', body: [sandbox_json(state: 'started')], delay: 0.6)

      expect(daytona.bulk_create([item('late', 1)], await_started: true, timeout: 0.1).size).to eq(1)
    end

    it 'raises ConnectionError when nothing listens' do
      offline = described_class.new(api_key: 'k', api_url: StubApi.closed_port_url)

      expect { offline.bulk_create([item('x', 1)]) }
        .to raise_error(Daytona::ConnectionError, /Cannot reach the Daytona API \(POST \/sandbox\/bulk\)/) { |error|
          expect(error.status_code).to be_nil
        }
    end

    it 'raises ServerError with code insufficient_capacity when runners lack room' do
      api.on('POST', '/sandbox/bulk', status: 503, body: error_json(503, 'insufficient_capacity'))

      expect { daytona.bulk_create([item('full', 1)]) }
        .to raise_error(Daytona::ServerError) { |error| expect(error.code).to eq('insufficient_capacity') }
    end
  end

  describe '#create' do
    it 'creates one sandbox and waits until it is started' do
      dto = sandbox_json(name: 'one')
      api.on('POST', '/sandbox', body: dto)
      api.on('GET', "/sandbox/#{dto[:id]}", { body: dto.merge(state: 'starting') }, { body: dto.merge(state: 'started') })

      sandbox = daytona.create({ name: 'one', labels: { 'team' => 'eval' } }, timeout: 5)

      expect(sandbox.state).to eq('started')
      expect(api.received.first.json).to eq('name' => 'one', 'labels' => { 'team' => 'eval' })
    end
  end

  describe '#get, #list and #delete' do
    it 'gets by name, lists with filters and deletes by name or object' do
      dto = sandbox_json(name: 'found', state: 'started')
      api.on('GET', '/sandbox/found', body: dto)
      api.on('GET', '/sandbox', body: { items: [dto], total: 1, page: 1, limit: 10, totalPages: 1 })
      api.on('DELETE', '/sandbox/found', body: dto.merge(state: 'destroyed'))
      api.on('DELETE', "/sandbox/#{dto[:id]}", body: dto.merge(state: 'destroyed'))

      sandbox = daytona.get('found')
      page = daytona.list(states: %w[started], labels: { 'team' => 'eval' }, limit: 10)
      daytona.delete('found')
      daytona.delete(sandbox)

      expect(sandbox.name).to eq('found')
      expect(sandbox.state).to eq('destroyed')
      expect(page.items.map(&:name)).to eq(['found'])
      expect(page.total).to eq(1)
      list_request = api.received.find { |request| request.path == '/sandbox' }
      expect(URI.decode_www_form(list_request.query)).to contain_exactly(
        %w[states started], ['labels', '{"team":"eval"}'], %w[limit 10]
      )
    end

    it 'raises NotFoundError for an unknown sandbox' do
      api.on('GET', '/sandbox/nope', status: 404, body: error_json(404, 'sandbox_not_found'))

      expect { daytona.get('nope') }.to raise_error(Daytona::NotFoundError)
    end
  end
end
