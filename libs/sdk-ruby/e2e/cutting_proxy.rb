# frozen_string_literal: true

require 'socket'
require 'uri'

# A TCP proxy between the SDK and a real API that drops the connection of the first answer to a
# chosen request after the API has sent all of it (so the request was processed), having passed
# on only half. Everything else goes through untouched. It records every request it forwards.
class CuttingProxy
  ForwardedRequest = Struct.new(:target, :idempotency_key, keyword_init: true)

  def initialize(api_url, cut_target)
    @upstream = URI(api_url)
    @cut_target = cut_target
    @lock = Mutex.new
    @requests = []
    @cuts = 0
    @server = TCPServer.new('127.0.0.1', 0)
    @acceptor = Thread.new { accept_connections }
  end

  # The API URL to give the SDK: the upstream's path on the proxy's port.
  def url
    "http://127.0.0.1:#{@server.addr[1]}#{@upstream.path}"
  end

  def requests = @lock.synchronize { @requests.dup }

  def cuts = @lock.synchronize { @cuts }

  def close
    @server.close
    @acceptor.join(1)
  end

  private

  def accept_connections
    loop { Thread.new(@server.accept) { |client| relay(client) } }
  rescue IOError, Errno::EBADF
    nil
  end

  def relay(client)
    upstream = TCPSocket.new(@upstream.host, @upstream.port)
    cut = false
    forward = Thread.new do
      reader = MessageReader.new(:request, lambda { |head|
        target = head.lines.first.split[0, 2].join(' ')
        @lock.synchronize do
          @requests << ForwardedRequest.new(target: target, idempotency_key: MessageReader.header(head, 'idempotency-key'))
          cut = true if target == @cut_target && @cuts.zero?
        end
      })
      loop do
        chunk = client.readpartial(65_536)
        reader.push(chunk)
        upstream.write(chunk)
      end
    rescue IOError, SystemCallError
      upstream.close unless upstream.closed?
    end
    answer_back(client, upstream) { cut }
    forward.join(1)
  rescue SystemCallError
    nil
  ensure
    client.close unless client.closed?
    upstream&.close unless upstream.nil? || upstream.closed?
  end

  def answer_back(client, upstream)
    held = +''
    done = false
    answers = MessageReader.new(:response, ->(_head) {}, -> { done = true })
    loop do
      chunk = upstream.readpartial(65_536)
      unless yield
        client.write(chunk)
        next
      end
      held << chunk
      answers.push(chunk)
      next unless done

      # The whole answer is here, so the API has done the work: pass on half of it and hang up.
      @lock.synchronize { @cuts += 1 }
      client.write(held.byteslice(0, held.bytesize / 2))
      return
    end
  rescue IOError, SystemCallError
    nil
  end

  # Splits an HTTP/1.1 byte stream into messages (Content-Length or chunked bodies).
  class MessageReader
    def self.header(head, name)
      line = head.lines.drop(1).find { |candidate| candidate.split(':', 2).first.strip.casecmp?(name) }
      line&.split(':', 2)&.last&.strip
    end

    def initialize(kind, on_head, on_complete = -> {})
      @kind = kind
      @on_head = on_head
      @on_complete = on_complete
      @buffer = +''.b
      @head = nil
    end

    def push(chunk)
      @buffer << chunk.b
      loop do
        if @head.nil?
          ending = @buffer.index("\r\n\r\n")
          return if ending.nil?

          @head = @buffer.byteslice(0, ending)
          @buffer = @buffer.byteslice(ending + 4..)
          @on_head.call(@head)
        end
        length = complete_body_length
        return if length.nil?

        @buffer = @buffer.byteslice(length..)
        @head = nil
        @on_complete.call
      end
    end

    private

    def complete_body_length
      if MessageReader.header(@head, 'transfer-encoding')&.casecmp?('chunked')
        ending = @buffer.index("0\r\n\r\n")
        return ending && ending + 5
      end
      length = MessageReader.header(@head, 'content-length')
      raise "an answer without Content-Length: #{@head.lines.first}" if length.nil? && @kind == :response

      length = Integer(length || 0)
      @buffer.bytesize >= length ? length : nil
    end
  end
end
