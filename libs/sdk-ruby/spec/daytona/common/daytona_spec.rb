# frozen_string_literal: true

require_relative '../../spec_helper'

RSpec.describe Daytona::BulkCreateItem do
  it 'takes keywords, defaults allow_under to false and serializes with the API camelCase keys' do
    item = described_class.new(snapshot_id_or_name: 'default', count: 3, sandbox_name_prefix: 'batch-a')

    expect(item.allow_under).to be(false)
    expect(item.to_h).to eq(snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: 'batch-a', allowUnder: false)
  end

  it 'serializes labels and env only when given' do
    item = described_class.new(snapshot_id_or_name: 'default', count: 1, sandbox_name_prefix: 'la',
                               labels: { 'run' => 'eval-7' }, env: { 'EVAL_RUN' => '7' })

    expect(item.to_h).to eq(snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'la', allowUnder: false,
                            labels: { 'run' => 'eval-7' }, env: { 'EVAL_RUN' => '7' })
  end

  it 'has writable attributes' do
    item = described_class.new(snapshot_id_or_name: 'default', count: 3, sandbox_name_prefix: 'batch-a')
    item.count = 5
    item.allow_under = true

    expect(item.to_h).to include(count: 5, allowUnder: true)
  end
end
