# frozen_string_literal: true

require_relative '../spec_helper'
require 'tmpdir'

RSpec.describe Daytona::Config do
  around do |example|
    Dir.mktmpdir { |dir| @dir = dir; example.run }
  end

  def write_env_file(dir, text)
    File.write(File.join(dir, '.env.local'), text)
  end

  it 'takes arguments over the environment over .env.local' do
    write_env_file(@dir, "DAYTONA_API_KEY=from-file\nDAYTONA_API_URL=http://file:1/api\n")
    env = { 'DAYTONA_API_KEY' => 'from-env', 'DAYTONA_API_URL' => 'http://env:2/api' }

    from_args = described_class.new(api_key: 'from-arg', api_url: 'http://arg:3/api', env: env, cwd: @dir)
    from_env = described_class.new(env: env, cwd: @dir)

    expect([from_args.api_key, from_args.api_url]).to eq(['from-arg', 'http://arg:3/api'])
    expect([from_env.api_key, from_env.api_url]).to eq(['from-env', 'http://env:2/api'])
  end

  it 'resolves each setting on its own, reading .env.local from a parent directory' do
    write_env_file(@dir, "# written by npm start\nexport DAYTONA_API_KEY=\"dtn_file\"\nDAYTONA_API_URL='http://127.0.0.1:4000/api/'\n")
    nested = File.join(@dir, 'a', 'b')
    FileUtils.mkdir_p(nested)

    config = described_class.new(env: { 'DAYTONA_API_URL' => 'http://env:2/api' }, cwd: nested)

    expect(config.api_key).to eq('dtn_file')
    expect(config.api_url).to eq('http://env:2/api')
    expect(described_class.new(env: {}, cwd: nested).api_url).to eq('http://127.0.0.1:4000/api')
  end

  it 'defaults the URL to the local API and the request timeout to 60 s' do
    config = described_class.new(api_key: 'k', env: {}, cwd: @dir)

    expect(config.api_url).to eq('http://127.0.0.1:3000/api')
    expect(config.request_timeout).to eq(60)
  end

  it 'without a key raises a Daytona::Error that says how to get one' do
    expect { described_class.new(env: { 'DAYTONA_API_KEY' => '  ' }, cwd: @dir) }
      .to raise_error(Daytona::Error, /No Daytona API key.*npm start.*DAYTONA_API_KEY/)
  end

  it 'defaults max_retries to 3 and accepts 0, but not a negative or fractional count' do
    expect(described_class.new(api_key: 'k', env: {}, cwd: @dir).max_retries).to eq(3)
    expect(described_class.new(api_key: 'k', max_retries: 0, env: {}, cwd: @dir).max_retries).to eq(0)
    [-1, 1.5, '2'].each do |bad|
      expect { described_class.new(api_key: 'k', max_retries: bad, env: {}, cwd: @dir) }.to raise_error(Daytona::Error, /max_retries/)
    end
  end

  it 'rejects a URL that is not http(s)' do
    expect { described_class.new(api_key: 'k', api_url: 'ftp://host/api', env: {}, cwd: @dir) }
      .to raise_error(Daytona::Error, /must be an http\(s\) URL/)
  end

  it 'is what Daytona::Daytona.new uses, reading ENV' do
    previous = ENV.to_h.slice('DAYTONA_API_KEY', 'DAYTONA_API_URL')
    ENV['DAYTONA_API_KEY'] = 'dtn_from_env'
    ENV['DAYTONA_API_URL'] = 'http://127.0.0.1:9/api'
    expect(Daytona::Daytona.new.api_url).to eq('http://127.0.0.1:9/api')
    expect(Daytona::Daytona.new(api_url: 'http://127.0.0.1:8/api').api_url).to eq('http://127.0.0.1:8/api')
  ensure
    %w[DAYTONA_API_KEY DAYTONA_API_URL].each { |name| previous.key?(name) ? ENV[name] = previous[name] : ENV.delete(name) }
  end
end
