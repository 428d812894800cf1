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
      offline = described_class.new(api_key: 'k', api_url: StubApi.closed_port_url, max_retries: 0)

      expect { offline.bulk_create([item('x', 1)]) }
        .to raise_error(Daytona::ConnectionError, /Cannot reach the Daytona API \(POST \/sandbox\/bulk\)/) { |error|
          expect(error.status_code).to be_nil
        }
    end

    it 'raises ServerError with code insufficient_capacity when runners lack room' do
      api.on('POST', '/sandbox/bulk', status: 503, body: error_json(503, 'insufficient_capacity'))

      expect { described_class.new(api_key: 'dtn_test', api_url: api.url, max_retries: 0).bulk_create([item('full', 1)]) }
        .to raise_error(Daytona::ServerError) { |error| expect(error.code).to eq('insufficient_capacity') }
    end
  end

  describe '#bulk_create with labels and env' do
    let(:request_label) { { Daytona::BULK_REQUEST_LABEL => 'a6f1c8c2-1111-4111-8111-111111111111' } }

    it 'sends each item\'s labels and env, and each sandbox reads its request\'s id' do
      api.on('POST', '/sandbox/bulk', body: [
               sandbox_json(name: 'la-00001', labels: { 'run' => 'eval-7' }.merge(request_label), env: { 'EVAL_RUN' => '7' }),
               sandbox_json(name: 'plain-00001', labels: request_label)
             ])

      sandboxes = daytona.bulk_create([item('la', 1, labels: { 'run' => 'eval-7' }, env: { 'EVAL_RUN' => '7' }),
                                       { snapshot_id_or_name: 'default', count: 1, sandbox_name_prefix: 'plain' }])

      expect(api.received.last.json['items']).to eq(
        [{ 'snapshotIdOrName' => 'default', 'count' => 1, 'sandboxNamePrefix' => 'la', 'allowUnder' => false,
           'labels' => { 'run' => 'eval-7' }, 'env' => { 'EVAL_RUN' => '7' } },
         { 'snapshotIdOrName' => 'default', 'count' => 1, 'sandboxNamePrefix' => 'plain', 'allowUnder' => false }]
      )
      expect(sandboxes.map(&:bulk_request_id)).to eq([request_label.values.first] * 2)
      expect(sandboxes.first.labels).to eq({ 'run' => 'eval-7' }.merge(request_label))
      expect(sandboxes.first.env).to eq('EVAL_RUN' => '7')
    end

    it 'a sandbox from create has no bulk_request_id' do
      api.on('POST', '/sandbox', body: sandbox_json(state: 'started', labels: { 'team' => 'eval' }))
      expect(daytona.create.bulk_request_id).to be_nil
    end
  end

  describe '#bulk_delete' do
    it 'sends the selector, calls again while the server says hasMore, and returns the total' do
      api.on('POST', '/sandbox/bulk-delete', { body: { count: 10_000, hasMore: true } }, { body: { count: 10_000, hasMore: true } },
             { body: { count: 7, hasMore: false } })
      ids = ['0b0e3f5c-1111-4111-8111-111111111111']

      expect(daytona.bulk_delete(labels: { 'run' => 'eval-7' }, name_prefix: 'eval-7-', ids: ids)).to eq(20_007)

      selector = { 'labels' => { 'run' => 'eval-7' }, 'namePrefix' => 'eval-7-', 'ids' => ids }
      expect(api.received.map(&:json)).to eq([selector] * 3)
    end

    it 'sends only the selectors given' do
      api.on('POST', '/sandbox/bulk-delete', body: { count: 0, hasMore: false })
      expect(daytona.bulk_delete(labels: { 'run' => 'none' })).to eq(0)
      expect(api.received.last.json).to eq('labels' => { 'run' => 'none' })
    end

    it 'stops when a round marks nothing, even if the server says more match' do
      api.on('POST', '/sandbox/bulk-delete', { body: { count: 5, hasMore: true } }, { body: { count: 0, hasMore: true } })
      expect(daytona.bulk_delete(name_prefix: 'stuck-')).to eq(5)
      expect(api.received.size).to eq(2)
    end

    it 'raises the server\'s empty_selector as ValidationError' do
      api.on('POST', '/sandbox/bulk-delete', status: 400, body: error_json(400, 'empty_selector', 'Name at least one'))

      expect { daytona.bulk_delete }.to raise_error(Daytona::ValidationError) { |error|
        expect([error.status_code, error.code]).to eq([400, 'empty_selector'])
      }
      expect(api.received.last.json).to eq({})
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
      api.on('GET', '/sandbox', body: { items: [dto], total: 1, page: 1, limit: 10, totalPages: 1, nextCursor: nil })
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
