# frozen_string_literal: true

require 'json'
require 'pathname'
require 'tempfile'

module Daytona
  # One file of {FileSystem#upload_files}: `source` is a local file path (a String naming an
  # existing file, or a Pathname), an IO, or else a String of contents; `destination` is its
  # path in the sandbox.
  #
  # @example
  #   Daytona::FileUpload.new('model.bin', 'work/model.bin')
  #   Daytona::FileUpload.new('{"epochs": 3}', 'work/config.json')
  FileUpload = Struct.new(:source, :destination)

  # One file of {FileSystem#download_files}: `source` in the sandbox, written to the local path
  # `destination` as it arrives, or held in memory when `destination` is nil.
  FileDownloadRequest = Struct.new(:source, :destination, keyword_init: true)

  # What became of one {FileDownloadRequest}: `result` is the contents (a String) or the local
  # path written; `error` is nil, or the {Daytona::Error} the server had with this file only.
  FileDownloadResponse = Struct.new(:source, :result, :error, keyword_init: true)

  # Reads and writes files inside one sandbox. Reach it as `sandbox.fs`. Paths are relative to
  # the sandbox user's home, or absolute in the sandbox's own filesystem; they resolve inside the
  # sandbox with that user's permissions, so a path the user may not touch is a
  # {Daytona::AuthorizationError} with code `file_permission_denied` and a missing one a
  # {Daytona::NotFoundError} with code `file_not_found`. Uploads and downloads are streamed (a
  # local file is read and written as it goes) and never retried.
  class FileSystem
    # Seconds a file transfer may take.
    TRANSFER_TIMEOUT = 30 * 60

    # @api private Sandboxes create their own FileSystem.
    def initialize(sandbox_id, api)
      @sandbox_id = sandbox_id
      @api = api
    end

    # Creates a directory and its missing parents.
    #
    # @example
    #   sandbox.fs.create_folder('work/data', '755')
    # @param path [String]
    # @param mode [String, nil] octal permission bits, default 0755
    # @return [void]
    def create_folder(path, mode = nil)
      toolbox('POST', 'files/folder') { |api| api.create_folder(@sandbox_id, path, { mode: mode }.compact) }
      nil
    end

    # Deletes a file, or a directory: an empty one, or with `recursive` everything in it.
    #
    # @example
    #   sandbox.fs.delete_file('work', recursive: true)
    # @return [void]
    def delete_file(path, recursive: false)
      toolbox('DELETE', 'files') { |api| api.delete_file(@sandbox_id, path, recursive: recursive) }
      nil
    end

    # Describes one file or directory.
    #
    # @example
    #   info = sandbox.fs.get_file_info('work/data.csv')
    #   [info.size, info.permissions, info.is_dir, info.mod_time]
    # @return [DaytonaApiClient::FileInfo] name, path, is_dir, size, mode, permissions, owner, group, mod_time
    def get_file_info(path)
      toolbox('GET', 'files/info', idempotent: true) { |api| api.get_file_info(@sandbox_id, path) }
    end

    # Lists a directory, like `ls -l`.
    #
    # @example
    #   sandbox.fs.list_files('.').map(&:name)
    # @return [Array<DaytonaApiClient::FileInfo>]
    def list_files(path)
      toolbox('GET', 'files', idempotent: true) { |api| api.list_files(@sandbox_id, path) }
    end

    # Moves or renames a file or directory.
    #
    # @example
    #   sandbox.fs.move_files('draft.txt', 'final/report.txt')
    # @return [void]
    def move_files(source, destination)
      toolbox('POST', 'files/move') { |api| api.move_file(@sandbox_id, source, destination) }
      nil
    end

    # Uploads `source` to `remote_path`, replacing what is there: a local file path (a String
    # naming an existing file, as in the official SDK, or a Pathname) read from disk as it is
    # sent, an IO (copied to a temporary file as it is read), or else a String of contents. A
    # file past the server's limit (1 GiB by default) is a {Daytona::ValidationError} with code
    # `file_too_large`, and nothing is written.
    #
    # @example
    #   sandbox.fs.upload_file('dataset.parquet', 'work/dataset.parquet')
    #   sandbox.fs.upload_file("hello\n", 'hello.txt')
    #   File.open('big.bin', 'rb') { |io| sandbox.fs.upload_file(io, 'big.bin') }
    # @return [void]
    def upload_file(source, remote_path)
      with_local_file(source) do |file|
        @api.transfer(TRANSFER_TIMEOUT, @sandbox_id, :post, 'files/upload', params: { path: remote_path }, body: { file: file })
      end
      nil
    end

    # Uploads several files in one request, each read as it is sent; files before one that fails
    # are kept.
    #
    # @example
    #   sandbox.fs.upload_files([Daytona::FileUpload.new('model.bin', 'work/model.bin'),
    #                            Daytona::FileUpload.new('{"epochs": 3}', 'work/config.json')])
    # @param files [Array<Daytona::FileUpload>]
    # @return [void]
    def upload_files(files)
      return nil if files.empty?

      with_local_files(files.map(&:source)) do |locals|
        body = {}
        files.each_with_index do |file, i|
          body["files[#{i}].path"] = file.destination
          body["files[#{i}].file"] = locals[i]
        end
        @api.transfer(TRANSFER_TIMEOUT, @sandbox_id, :post, 'files/bulk-upload', body: body)
      end
      nil
    end

    # Downloads `remote_path`: its contents as a String, or, given `local_path`, written there as
    # it arrives (nil returned), so a big file is never in memory.
    #
    # @example
    #   sandbox.fs.download_file('work/result.json') # => "{...}"
    #   sandbox.fs.download_file('work/result.tar', 'result.tar')
    # @return [String, nil]
    def download_file(remote_path, local_path = nil)
      if local_path
        File.open(local_path, 'wb') { |file| download_file_stream(remote_path) { |chunk| file.write(chunk) } }
        return nil
      end
      content = +''.b
      download_file_stream(remote_path) { |chunk| content << chunk }
      content
    end

    # Downloads `remote_path`, yielding its content in chunks as they arrive.
    #
    # @example
    #   File.open('big.log', 'wb') { |file| sandbox.fs.download_file_stream('work/big.log') { |chunk| file.write(chunk) } }
    # @yieldparam chunk [String]
    # @return [void]
    def download_file_stream(remote_path, &block)
      raise ArgumentError, 'download_file_stream needs a block' unless block

      @api.transfer(TRANSFER_TIMEOUT, @sandbox_id, :get, 'files/download', params: { path: remote_path }, on_chunk: block)
      nil
    end

    # Downloads several files in one request. Each answer says what became of its file; a file
    # the server could not give (missing, forbidden) has its own `error`, and the others are
    # still downloaded.
    #
    # @example
    #   results = sandbox.fs.download_files([Daytona::FileDownloadRequest.new(source: 'work/a.txt'),
    #                                        Daytona::FileDownloadRequest.new(source: 'work/big.bin', destination: 'big.bin')])
    #   results.each { |r| warn "#{r.source}: #{r.error.message}" if r.error }
    # @param files [Array<Daytona::FileDownloadRequest>]
    # @return [Array<Daytona::FileDownloadResponse>] in the order asked
    def download_files(files)
      return [] if files.empty?

      download = BulkDownload.new(files, "POST /toolbox/#{@sandbox_id}/files/bulk-download")
      response = @api.transfer(TRANSFER_TIMEOUT, @sandbox_id, :post, 'files/bulk-download',
                               body: JSON.generate(paths: files.map(&:source)),
                               headers: { 'Content-Type' => 'application/json' },
                               on_headers: ->(answer) { download.boundary = answer.headers['Content-Type'].to_s[/boundary="?([^";]+)"?/, 1] },
                               on_chunk: ->(chunk) { download.feed(chunk) })
      download.results(response)
    ensure
      download&.close
    end

    private

    def toolbox(method, route, idempotent: false, &block)
      target = "#{method} /toolbox/#{@sandbox_id}/#{route}"
      idempotent ? @api.toolbox_read(@api.request_timeout, target, &block) : @api.toolbox(@api.request_timeout, target, &block)
    end

    def with_local_files(sources, opened = [], &block)
      return block.call(opened) if opened.size == sources.size

      with_local_file(sources[opened.size]) { |file| with_local_files(sources, opened + [file], &block) }
    end

    # Yields `source` as an open ::File, which libcurl reads from disk as it sends.
    def with_local_file(source)
      if source.is_a?(Pathname) || local_path?(source)
        begin
          File.open(source.to_s, 'rb') { |file| return yield file }
        rescue SystemCallError => e
          raise ValidationError, "Cannot read #{source}: #{e.message}"
        end
      end
      raise ValidationError, "Cannot upload #{source.class}: give a path, an IO or a String" unless source.is_a?(String) || source.respond_to?(:read)

      Tempfile.create('daytona-upload', binmode: true) do |staged|
        source.is_a?(String) ? staged.write(source) : IO.copy_stream(source, staged)
        staged.flush
        File.open(staged.path, 'rb') { |file| yield file }
      end
    end

    # A String names a local file when one exists there (as in the official SDK); contents with a
    # NUL byte never do.
    def local_path?(source)
      source.is_a?(String) && !source.include?("\0") && File.file?(source)
    end

    # The parts of one bulk download, each written where its request says as it arrives.
    class BulkDownload
      def initialize(files, target)
        @files = files
        @target = target
        @results = Array.new(files.size)
        @pending = Hash.new { |hash, key| hash[key] = [] }
        files.each_with_index { |file, i| @pending[file.source] << i }
        @stream = nil
        @part = nil
      end

      def feed(chunk)
        raise ServerError, "#{@target} answered without a multipart boundary" unless @boundary

        @stream ||= MultipartStream.new(@boundary, on_part: method(:open_part), on_data: method(:write), on_end: method(:close_part))
        @stream.feed(chunk)
      end

      # Set from the answer's headers, before the first chunk.
      attr_writer :boundary

      def results(response)
        unless @stream&.complete?
          raise ConnectionError, "The answer to #{@target} was cut off before it completed" if @stream

          raise ServerError, "#{@target} answered #{response.headers['Content-Type'].inspect}, not multipart"
        end
        @files.each_with_index.map do |file, i|
          @results[i] || FileDownloadResponse.new(source: file.source, error: ServerError.new("#{@target}: no answer for #{file.source}"))
        end
      end

      def close
        @part&.dig(:file)&.close
      end

      private

      def open_part(headers)
        disposition = headers['content-disposition'].to_s
        name = disposition[/\bname="([^"]*)"/, 1]
        source = disposition[/\bfilename="((?:[^"\\]|\\.)*)"/, 1]&.gsub(/\\(.)/, '\1')
        index = @pending[source].shift
        request = index && @files[index]
        @part = { index: index, error: name == 'error', buffer: +''.b }
        @part[:file] = File.open(request.destination, 'wb') if request&.destination && name != 'error'
      rescue SystemCallError => e
        @part[:local_error] = ValidationError.new("Cannot write #{request.destination}: #{e.message}")
      end

      def write(data)
        return if @part[:index].nil? || @part[:local_error]

        @part[:file] ? @part[:file].write(data) : @part[:buffer] << data
      end

      def close_part
        part = @part
        @part = nil
        return if part[:index].nil?

        part[:file]&.close
        request = @files[part[:index]]
        @results[part[:index]] = FileDownloadResponse.new(source: request.source, **outcome(part, request))
      end

      def outcome(part, request)
        return { error: part[:local_error] } if part[:local_error]
        return { error: part_error(part[:buffer], request.source) } if part[:error]
        return { result: request.destination } if request.destination

        { result: part[:buffer] }
      end

      def part_error(body, source)
        status = begin
          JSON.parse(body)['statusCode']
        rescue JSON::ParserError
          nil
        end
        ErrorMapper.from_response(status.is_a?(Integer) ? status : 500, body, {}, target: "#{@target} #{source}")
      end
    end
  end
end
