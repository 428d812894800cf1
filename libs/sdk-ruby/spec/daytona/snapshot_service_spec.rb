# frozen_string_literal: true

require_relative '../spec_helper'

RSpec.describe Daytona::SnapshotService do
  include_context 'with a stub API'

  def monotonic
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  describe '#create' do
    it 'sends the image reference and resources, then polls the snapshot by id until it is active' do
      pending_json = snapshot_json(name: 'py', imageName: 'registry.example.com/py:3.12', cpu: 2, memory: 4, disk: 8)
      api.on('POST', '/snapshots', body: pending_json)
      api.on('GET', "/snapshots/#{pending_json[:id]}", { body: pending_json.merge(state: 'pulling') },
             { body: pending_json.merge(state: 'pulling') }, { body: pending_json.merge(state: 'active', size: 0.12) })
      logs = []

      snapshot = daytona.snapshot.create(name: 'py', image: 'registry.example.com/py:3.12',
                                         resources: { cpu: 2, memory: 4, disk: 8 }, entrypoint: %w[sleep infinity],
                                         on_logs: ->(line) { logs << line }, timeout: 30)

      requests = api.received
      expect(requests.first.json).to eq(
        'name' => 'py', 'imageName' => 'registry.example.com/py:3.12', 'entrypoint' => %w[sleep infinity],
        'cpu' => 2, 'memory' => 4, 'disk' => 8
      )
      expect(requests.count { |r| r.method == 'GET' && r.path == "/snapshots/#{pending_json[:id]}" }).to eq(3)
      expect(snapshot).to be_a(Daytona::Snapshot)
      expect(snapshot).to have_attributes(id: pending_json[:id], name: 'py', state: 'active', size: 0.12, cpu: 2,
                                          image_name: 'registry.example.com/py:3.12')
      expect(logs).to eq(['Creating snapshot py (pending)', 'Creating snapshot py (pulling)', 'Created snapshot py (active)'])
    end

    it 'takes resources as a Daytona::Resources and leaves unset ones to the server' do
      api.on('POST', '/snapshots', body: snapshot_json(name: 'small', state: 'active'))

      daytona.snapshot.create(name: 'small', image: 'small:1', resources: Daytona::Resources.new(cpu: 1))

      expect(api.received.first.json).to eq('name' => 'small', 'imageName' => 'small:1', 'cpu' => 1)
    end

    it "raises SnapshotStateError with the registry's reason when the snapshot ends in error" do
      pending_json = snapshot_json(name: 'nope', imageName: 'registry.example.com/nope:1')
      reason = 'error reading manifest 1 in registry.example.com/nope: manifest unknown: manifest unknown'
      api.on('POST', '/snapshots', body: pending_json)
      api.on('GET', "/snapshots/#{pending_json[:id]}", body: pending_json.merge(state: 'error', errorReason: reason))

      expect { daytona.snapshot.create(name: 'nope', image: 'registry.example.com/nope:1') }
        .to raise_error(Daytona::SnapshotStateError) { |error|
          expect(error).to be_a(Daytona::Error)
          expect(error).to have_attributes(snapshot_name: 'nope', state: 'error', error_reason: reason)
          expect(error.message).to match(%r{nope.*registry\.example\.com/nope:1.*manifest unknown})
        }
    end

    it 'raises TimeoutError within about its timeout while the snapshot stays pending' do
      pending_json = snapshot_json(name: 'stuck')
      api.on('POST', '/snapshots', body: pending_json)
      api.on('GET', "/snapshots/#{pending_json[:id]}", body: pending_json)
      started = monotonic

      expect { daytona.snapshot.create(name: 'stuck', image: pending_json[:imageName], timeout: 0.6) }
        .to raise_error(Daytona::TimeoutError, /"stuck" is still pending after 0.6 s/)
      expect(monotonic - started).to be_between(0.55, 2.5)
      expect(api.received.count { |r| r.method == 'GET' }).to be >= 1
    end

    it 'is bounded even when the API stops answering while it waits' do
      pending_json = snapshot_json(name: 'slow')
      api.on('POST', '/snapshots', body: pending_json)
      api.on('GET', "/snapshots/#{pending_json[:id]}", body: pending_json, delay: 4)
      started = monotonic

      expect { daytona.snapshot.create(name: 'slow', image: 'slow:1', timeout: 0.3) }.to raise_error(Daytona::TimeoutError)
      expect(monotonic - started).to be < 2.5
    end

    it "maps the server's refusals onto the error tree, with its code and details" do
      api.on('POST', '/snapshots',
             { status: 409, body: error_json(409, 'snapshot_name_conflict', 'A snapshot named "py" already exists', { name: 'py' }) },
             { status: 400, body: error_json(400, 'unsupported_field', 'gpu: GPUs are not available on this server', { field: 'gpu' }) })

      expect { daytona.snapshot.create(name: 'py', image: 'py:3.12') }.to raise_error(Daytona::ConflictError) { |error|
        expect(error).to have_attributes(status_code: 409, code: 'snapshot_name_conflict')
      }
      expect { daytona.snapshot.create(name: 'gpu', image: 'py:3.12', resources: { gpu: 1 }) }
        .to raise_error(Daytona::ValidationError) { |error|
          expect(error).to have_attributes(code: 'unsupported_field', details: { 'field' => 'gpu' })
        }
      expect(api.received.last.json).to include('gpu' => 1)
    end

    it 'refuses an image that is not a reference before sending anything: this server builds no images' do
      expect { daytona.snapshot.create(name: 'built', image: { dockerfile: 'FROM python:3.12' }) }
        .to raise_error(Daytona::ValidationError, /no image builder/)
      expect(api.received).to eq([])
    end
  end

  describe '#get, #list and #delete' do
    it 'gets a snapshot by name, and a missing one is NotFoundError' do
      dto = snapshot_json(name: 'python:3.12', state: 'active')
      api.on('GET', '/snapshots/python:3.12', body: dto)
      api.on('GET', '/snapshots/gone', status: 404, body: error_json(404, 'snapshot_not_found', 'Snapshot "gone" not found'))

      expect(daytona.snapshot.get('python:3.12')).to have_attributes(id: dto[:id], name: 'python:3.12', state: 'active',
                                                                     general: false, regions: ['local'])
      expect { daytona.snapshot.get('gone') }.to raise_error(Daytona::NotFoundError) { |error|
        expect(error.code).to eq('snapshot_not_found')
      }
    end

    it 'lists one page, sending page and limit only when given' do
      items = [snapshot_json(name: 'a'), snapshot_json(name: 'default', general: true, organizationId: nil)]
      api.on('GET', '/snapshots', body: { items: items, total: 12, page: 2, totalPages: 6 })

      page = daytona.snapshot.list(page: 2, limit: 2)
      daytona.snapshot.list

      expect(page).to have_attributes(total: 12, page: 2, total_pages: 6)
      expect(page.items.map(&:name)).to eq(%w[a default])
      expect(page.items.last).to have_attributes(general: true, organization_id: nil)
      expect(api.received.map(&:query)).to eq(['page=2&limit=2', nil])
    end

    it 'deletes by the object’s id or by name, and maps in-use and general snapshots to their errors' do
      dto = snapshot_json(name: 'mine', state: 'active')
      api.on('GET', '/snapshots/mine', body: dto)
      api.on('DELETE', "/snapshots/#{dto[:id]}", status: 200, body: '')
      api.on('DELETE', '/snapshots/used', status: 409,
                                          body: error_json(409, 'snapshot_in_use', 'Snapshot "used" is used by 2 live sandbox(es)',
                                                           { snapshot: 'used', sandboxes: 2 }))
      api.on('DELETE', '/snapshots/default', status: 403,
                                             body: error_json(403, 'general_snapshot_read_only',
                                                              'Snapshot "default" is a general snapshot and cannot be deleted'))

      expect(daytona.snapshot.delete(daytona.snapshot.get('mine'))).to be_nil
      expect { daytona.snapshot.delete('used') }.to raise_error(Daytona::ConflictError) { |error|
        expect(error).to have_attributes(code: 'snapshot_in_use', details: { 'snapshot' => 'used', 'sandboxes' => 2 })
      }
      expect { daytona.snapshot.delete('default') }.to raise_error(Daytona::AuthorizationError) { |error|
        expect(error.code).to eq('general_snapshot_read_only')
      }
      expect(api.received.count { |r| r.method == 'DELETE' && r.path == "/snapshots/#{dto[:id]}" }).to eq(1)
    end
  end
end
