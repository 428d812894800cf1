# frozen_string_literal: true

require 'tmpdir'
require 'stringio'
require_relative '../spec_helper'

RSpec.describe Daytona::FileSystem do
  include_context 'with a stub API'

  let(:dto) { sandbox_json(name: 'files', state: 'started') }
  let(:sandbox) do
    api.on('GET', '/sandbox/files', body: dto)
    daytona.get('files').tap { api.received }
  end
  let(:base) { "/toolbox/#{dto[:id]}" }

  def file_info(name, size: 12, is_dir: false)
    { name: name, path: "/home/daytona/#{name}", isDir: is_dir, size: size, mode: '-rw-r--r--', permissions: '0644',
      owner: 'daytona', group: 'daytona', modTime: '2025-01-31T12:00:00Z', modifiedAt: '2025-01-31T12:00:00Z' }
  end

  # Field name => [filename, content] of a multipart request.
  def parts_of(request)
    boundary = request.headers['content-type'].first[/boundary=(.+)/, 1]
    WEBrick::HTTPUtils.parse_form_data(request.body, boundary).to_h { |name, data| [name, [data.filename, data.to_s]] }
  end

  def multipart(*parts)
    boundary = 'b0undary'
    body = parts.map do |name, filename, content|
      "--#{boundary}\r\nContent-Disposition: form-data; name=\"#{name}\"; filename=\"#{filename}\"\r\n" \
        "Content-Type: application/octet-stream\r\n\r\n#{content}\r\n"
    end.join + "--#{boundary}--\r\n"
    { body: body, headers: { 'Content-Type' => "multipart/form-data; boundary=#{boundary}" } }
  end

  it 'lists, describes, creates folders, moves and deletes with the paths as query parameters' do
    api.on('GET', "#{base}/files", body: [file_info('a.txt'), file_info('dir', size: 4096, is_dir: true)])
    api.on('GET', "#{base}/files/info", body: file_info('a.txt'))
    %w[files/folder files/move].each { |route| api.on('POST', "#{base}/#{route}", status: 204, body: '') }
    api.on('DELETE', "#{base}/files", status: 204, body: '')
    sandbox

    files = sandbox.fs.list_files('work')
    expect(files.map { |f| [f.name, f.size, f.is_dir] }).to eq([['a.txt', 12, false], ['dir', 4096, true]])
    expect(sandbox.fs.get_file_info('work/a.txt')).to have_attributes(path: '/home/daytona/a.txt', permissions: '0644', mod_time: '2025-01-31T12:00:00Z')
    expect(sandbox.fs.create_folder('work/new', '700')).to be_nil
    sandbox.fs.move_files('a b.txt', 'work/c.txt')
    sandbox.fs.delete_file('work', recursive: true)

    expect(api.received.map { |r| "#{r.method} #{r.path.delete_prefix(base)}?#{r.query}" }).to eq(
      ['GET /files?path=work', 'GET /files/info?path=work%2Fa.txt', 'POST /files/folder?path=work%2Fnew&mode=700',
       'POST /files/move?source=a%20b.txt&destination=work%2Fc.txt', 'DELETE /files?path=work&recursive=true']
    )
  end

  it 'maps a forbidden path and a missing file to the server\'s codes' do
    api.on('GET', "#{base}/files/download", status: 403, body: error_json(403, 'file_permission_denied', 'permission denied: ../../etc/shadow'))
    api.on('GET', "#{base}/files/info", status: 404, body: error_json(404, 'file_not_found', 'no such file: missing.txt'))
    sandbox

    expect { sandbox.fs.download_file('../../etc/shadow') }.to raise_error(Daytona::AuthorizationError) { |error|
      expect([error.status_code, error.code, error.message]).to eq([403, 'file_permission_denied', 'permission denied: ../../etc/shadow'])
    }
    expect { sandbox.fs.get_file_info('missing.txt') }.to raise_error(Daytona::NotFoundError) { |error|
      expect(error.code).to eq('file_not_found')
    }
  end

  it 'uploads a local path, an IO and a String of contents as the multipart file field' do
    api.on('POST', "#{base}/files/upload", body: { path: '/home/daytona/x', size: 1 })
    sandbox
    Dir.mktmpdir do |dir|
      local = File.join(dir, 'local.bin')
      File.binwrite(local, "from disk\x00\xff".b)

      sandbox.fs.upload_file(local, 'work/a.bin')
      sandbox.fs.upload_file(Pathname(local), 'work/p.bin')
      sandbox.fs.upload_file(StringIO.new('from an IO'), 'b.txt')
      sandbox.fs.upload_file('just contents', 'c.txt')
      sandbox.fs.upload_file("bin\x00ary".b, 'd.bin')
    end

    requests = api.received
    expect(requests.map(&:query)).to eq(%w[path=work%2Fa.bin path=work%2Fp.bin path=b.txt path=c.txt path=d.bin])
    expect(requests.map { |r| parts_of(r)['file'][1].b }).to eq(["from disk\x00\xff".b, "from disk\x00\xff".b, 'from an IO', 'just contents', "bin\x00ary".b])
  end

  it 'uploads several files in one request, each path with its file' do
    api.on('POST', "#{base}/files/bulk-upload", body: { files: [] })
    sandbox
    Dir.mktmpdir do |dir|
      local = File.join(dir, 'model.bin')
      File.write(local, 'weights')

      sandbox.fs.upload_files([Daytona::FileUpload.new(local, 'work/model.bin'), Daytona::FileUpload.new('{"epochs": 3}', 'work/config.json')])
    end

    parts = parts_of(api.received.first)
    expect(parts.transform_values(&:last)).to eq(
      'files[0].path' => 'work/model.bin', 'files[0].file' => 'weights',
      'files[1].path' => 'work/config.json', 'files[1].file' => '{"epochs": 3}'
    )
  end

  it 'an upload past the limit is the server\'s file_too_large; a source it cannot read asks nothing' do
    api.on('POST', "#{base}/files/upload", status: 413, body: error_json(413, 'file_too_large', 'too large', { maxBytes: 1024 }))
    sandbox

    expect { sandbox.fs.upload_file('x' * 4096, 'big.bin') }.to raise_error(Daytona::ValidationError) { |error|
      expect([error.status_code, error.code, error.details]).to eq([413, 'file_too_large', { 'maxBytes' => 1024 }])
    }
    api.received
    expect { sandbox.fs.upload_file(42, 'x') }.to raise_error(Daytona::ValidationError)
    expect(api.received).to eq([])
  end

  it 'downloads into a String, into a local file, and in chunks' do
    api.on('GET', "#{base}/files/download", body: "contents\x00\xff".b, headers: { 'Content-Type' => 'application/octet-stream' })
    sandbox

    expect(sandbox.fs.download_file('a.bin')).to eq("contents\x00\xff".b)
    Dir.mktmpdir do |dir|
      local = File.join(dir, 'a.bin')
      expect(sandbox.fs.download_file('a.bin', local)).to be_nil
      expect(File.binread(local)).to eq("contents\x00\xff".b)
    end
    chunks = []
    sandbox.fs.download_file_stream('a.bin') { |chunk| chunks << chunk }
    expect(chunks.join.b).to eq("contents\x00\xff".b)
  end

  it 'downloads several files, each to its place, keeping each file\'s own error' do
    big = 'z' * 300_000
    api.on('POST', "#{base}/files/bulk-download",
           multipart(['file', 'dir/b.txt', big],
                     ['error', 'missing.txt', '{"message":"no such file: missing.txt","statusCode":404,"code":"file_not_found"}'],
                     ['file', 'a.txt', "ay\r\n--not-the-boundary"]))
    sandbox

    Dir.mktmpdir do |dir|
      local = File.join(dir, 'b.txt')
      results = sandbox.fs.download_files([Daytona::FileDownloadRequest.new(source: 'a.txt'),
                                           Daytona::FileDownloadRequest.new(source: 'missing.txt'),
                                           Daytona::FileDownloadRequest.new(source: 'dir/b.txt', destination: local)])

      expect(api.received.first.json).to eq('paths' => %w[a.txt missing.txt dir/b.txt])
      expect(results.map(&:source)).to eq(%w[a.txt missing.txt dir/b.txt])
      expect([results[0].result, results[0].error]).to eq(["ay\r\n--not-the-boundary", nil])
      expect(results[1].error).to be_a(Daytona::NotFoundError).and(have_attributes(code: 'file_not_found', status_code: 404))
      expect(results[2].result).to eq(local)
      expect(File.read(local)).to eq(big)
    end
  end
end

RSpec.describe Daytona::MultipartStream do
  it 'finds parts whatever the chunk boundaries, without holding the body' do
    body = "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nfirst\r\n--x\r\n" \
           "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b\"\r\n\r\n\r\n--xyz--\r\n"
    (1..body.size).each do |size|
      parts = []
      stream = described_class.new('xyz', on_part: ->(headers) { parts << [headers['content-disposition'], +''] },
                                          on_data: ->(data) { parts.last[1] << data }, on_end: -> {})
      body.chars.each_slice(size) { |slice| stream.feed(slice.join) }

      expect(stream).to be_complete
      expect(parts.map(&:last)).to eq(["first\r\n--x", ''])
    end
  end
end
