# frozen_string_literal: true

require 'json'
require 'securerandom'
require 'socket'
require 'webrick'

# A real HTTP server on a free local port answering canned JSON, so unit specs run the real SDK,
# the real generated client and Typhoeus/libcurl end to end. Nothing is mocked in process.
class StubApi
  Request = Struct.new(:method, :path, :query, :headers, :body, keyword_init: true) do
    def json
      JSON.parse(body)
    end
  end

  attr_reader :requests

  def initialize
    @routes = {}
    @requests = Queue.new
    @server = WEBrick::HTTPServer.new(
      BindAddress: '127.0.0.1', Port: 0,
      Logger: WEBrick::Log.new(File::NULL), AccessLog: []
    )
    @server.mount('/', Servlet, method(:answer))
    @thread = Thread.new { @server.start }
  end

  # One server for the whole run (starting and stopping WEBrick per example costs ~0.5 s each).
  def self.shared
    @shared ||= new.tap { |stub| at_exit { stub.stop } }
  end

  # Forgets the routes and requests of the previous example.
  def reset
    @routes = {}
    @requests.clear
    self
  end

  def url
    "http://127.0.0.1:#{@server.config[:Port]}/api"
  end

  # Answers `method path` (path below /api) with the given replies in turn; the last one repeats.
  # A reply is { status:, body:, headers:, delay: }, body an object serialized as JSON; with
  # `cut: true` only the headers and half the body are sent before the connection drops, with
  # `reset: true` the connection is reset (TCP RST) without an answer.
  def on(method, path, *replies)
    @routes["#{method.upcase} #{path}"] = replies
    self
  end

  def received
    list = []
    list << @requests.pop until @requests.empty?
    list
  end

  def stop
    @server.shutdown
    @thread.join(5)
  end

  # A port on which nothing listens, for "connection refused".
  def self.closed_port_url
    server = TCPServer.new('127.0.0.1', 0)
    port = server.addr[1]
    server.close
    "http://127.0.0.1:#{port}/api"
  end

  # Every method, DELETE included, goes to one handler (WEBrick's mount_proc knows GET and POST only).
  class Servlet < WEBrick::HTTPServlet::AbstractServlet
    def initialize(server, handler)
      super(server)
      @handler = handler
    end

    def service(request, response)
      @handler.call(request, response)
    end
  end

  private

  def answer(request, response)
    path = request.path.sub(%r{\A/api}, '')
    @requests << Request.new(method: request.request_method, path: path, query: request.query_string,
                             headers: request.header, body: request.body)
    replies = @routes["#{request.request_method} #{path}"]
    reply = replies ? (replies.size > 1 ? replies.shift : replies.first) : not_found(path)
    sleep(reply[:delay]) if reply[:delay]
    return drop_connection(request, reply) if reply[:cut] || reply[:reset]

    # No keep-alive: libcurl resends a request on its own when a reused connection turns out
    # reset, which would hide from the specs how many attempts the SDK made.
    response.keep_alive = false
    response.status = reply.fetch(:status, 200)
    (reply[:headers] || {}).each { |name, value| response[name] = value }
    body = reply[:body]
    response['Content-Type'] = 'application/json' unless body.is_a?(String)
    response.body = body.is_a?(String) ? body : JSON.generate(body)
  end

  # Writes to the connection itself (WEBrick keeps it in the request) and closes it; WEBrick's
  # own attempt to answer afterwards fails quietly (its log goes nowhere).
  def drop_connection(request, reply)
    socket = request.instance_variable_get(:@socket)
    if reply[:reset]
      socket.setsockopt(Socket::SOL_SOCKET, Socket::SO_LINGER, [1, 0].pack('ii'))
    else
      body = JSON.generate(reply[:body])
      socket.write("HTTP/1.1 #{reply.fetch(:status, 200)} OK\r\nContent-Type: application/json\r\n" \
                   "Content-Length: #{body.bytesize}\r\n\r\n#{body[0, body.bytesize / 2]}")
    end
    socket.close
  end

  def not_found(path)
    { status: 404, body: { statusCode: 404, code: 'route_not_stubbed', message: "no stub for #{path}" } }
  end
end

# Small factories for the API's JSON.
module ApiFactories
  def sandbox_json(name: "sb-#{SecureRandom.hex(3)}", state: 'creating', **overrides)
    now = Time.now.utc.iso8601
    {
      id: SecureRandom.uuid, organizationId: SecureRandom.uuid, name: name, snapshot: 'default',
      runnerId: SecureRandom.uuid, region: 'local', state: state, desiredState: 'started',
      cpu: 1, memory: 1, disk: 3, env: {}, labels: {}, createdAt: now, updatedAt: now,
      recoverable: false, toolboxProxyUrl: 'http://127.0.0.1:3000/api/toolbox', target: 'local', user: 'daytona',
      public: false, networkBlockAll: true, gpu: 0, kvm: false, autoStopInterval: 15, autoArchiveInterval: 0,
      autoDeleteInterval: -1, volumes: [], lastActivityAt: now
    }.merge(overrides)
  end

  def error_json(status, code, message = "#{code} happened", details = nil)
    { statusCode: status, code: code, message: message, details: details }.compact
  end
end

# Time that passes only when the SDK waits between retries: each wait is recorded and moves the
# clock on, so specs check delays without sleeping. `draw` is the jitter's random number.
class FakeClock
  attr_reader :sleeps

  def initialize(draw = 0.5)
    @time = 0.0
    @draw = draw
    @sleeps = []
  end

  def now = @time

  def rand = @draw

  def sleep(seconds)
    @sleeps << seconds
    @time += seconds
  end

  # Makes the client's retries wait on a new FakeClock, and returns it.
  def self.install(daytona, draw = 0.5)
    new(draw).tap { |clock| daytona.instance_variable_get(:@api).retry_policy.clock = clock }
  end
end
