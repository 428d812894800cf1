# frozen_string_literal: true

# Runs the example as a user would, against a live stack, and checks what it printed and left:
#   node tools/e2e/with-stack.mjs -- rspec examples/ruby/bulk-create

$LOAD_PATH.unshift(File.expand_path('../../../libs/sdk-ruby/lib', __dir__),
                   File.expand_path('../../../libs/api-client-ruby/lib', __dir__))
require 'daytona'
require 'open3'
require 'rbconfig'

RSpec.describe 'examples/ruby/bulk-create/bulk_create.rb' do
  let(:root) { File.expand_path('../../..', __dir__) }
  let(:prefixes) { %w[rb-batch-a- rb-batch-b-] }

  it 'prints a hello from each of the 6 sandboxes, exits 0 and leaves none of them behind' do
    command = [RbConfig.ruby, '-I', 'libs/sdk-ruby/lib', '-I', 'libs/api-client-ruby/lib',
               'examples/ruby/bulk-create/bulk_create.rb']
    stdout, stderr, status = Open3.capture3(*command, chdir: root)

    expect(status.exitstatus).to eq(0), "exit #{status.exitstatus}\n#{stdout}\n#{stderr}"
    hellos = stdout.lines.grep(/\Arb-batch-[ab]-\d{5}: hello\n\z/)
    expect(hellos.size).to eq(6), stdout
    expect(hellos.map { |line| line.split(':').first }).to eq(
      %w[rb-batch-a-00001 rb-batch-a-00002 rb-batch-a-00003 rb-batch-b-00001 rb-batch-b-00002 rb-batch-b-00003]
    )

    live = Daytona::Daytona.new.list(limit: 1000).items.map(&:name)
    expect(live.select { |name| name.start_with?(*prefixes) }).to eq([])
  end
end
