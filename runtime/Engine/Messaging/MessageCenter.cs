using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Messaging;

/*
 * Request/response correlation over an IMessageTransport, for a silo or a client.
 *
 * Each outgoing request gets a process-unique correlation id and a pending entry; the response completes
 * it. A pending entry is removed when its response arrives, when the caller times out or when sending
 * fails, so a late response to an abandoned call is dropped (at-most-once: a timeout means "outcome
 * unknown"). Forwarded requests keep the original id and reply-to address, so the response goes straight
 * back to the original caller.
 */
internal sealed class MessageCenter : IMessageHandler
{
    private readonly IMessageTransport _transport;
    private readonly MessageCodec _codec;
    private readonly ExceptionCodec _exceptions;
    private readonly TimeProvider _time;
    private readonly RuntimeMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private long _nextId;

    public MessageCenter(SiloAddress local, IMessageTransport transport, GrainTypeRegistry registry, JsonSerializerOptions serializerOptions, TimeProvider time, RuntimeMetrics? metrics, ILogger logger)
    {
        Local = local;
        _transport = transport;
        _codec = new MessageCodec(registry, serializerOptions);
        _exceptions = new ExceptionCodec(registry);
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public SiloAddress Local { get; }

    /// <summary>Handles incoming requests (silos); null on clients, which refuse them.</summary>
    public Action<RequestEnvelope>? RequestReceived { get; set; }

    public async ValueTask<object?> InvokeAsync(SiloAddress destination, GrainIdentity target, GrainMethodDescriptor method, object?[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var activity = RuntimeTracing.StartClient(method.DisplayName, target);
        var id = Interlocked.Increment(ref _nextId);
        var frame = _codec.EncodeRequest(id, Local, hops: 0, timeout, target, method, activity?.Id, arguments);
        var pending = new Pending(method);
        _pending[id] = pending;
        try
        {
            await _transport.SendAsync(destination, frame, cancellationToken);
            _metrics?.MessageSent();
            return await pending.Completion.Task.WaitAsync(timeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{method.DisplayName} on {target} (sent to silo {destination}) did not respond within {timeout} (GrainRuntimeOptions.ResponseTimeout); its outcome is unknown.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a received request on to another silo, keeping its id and reply-to address.</summary>
    public async Task ForwardAsync(SiloAddress destination, RequestEnvelope request, TimeSpan remaining)
    {
        try
        {
            var frame = _codec.EncodeRequest(request.Id, request.ReplyTo, request.Hops + 1, remaining, request.Target, request.Method, request.TraceParent, request.Arguments);
            await _transport.SendAsync(destination, frame, CancellationToken.None);
            _metrics?.MessageSent();
        }
        catch (Exception exception)
        {
            await SendResponseAsync(request.ReplyTo, request.Id, request.Method, null, exception);
        }
    }

    public async Task SendResponseAsync(SiloAddress destination, long id, GrainMethodDescriptor? method, object? result, Exception? exception)
    {
        try
        {
            await _transport.SendAsync(destination, _codec.EncodeResponse(id, method, result, exception), CancellationToken.None);
            _metrics?.MessageSent();
        }
        catch (Exception failure)
        {
            // The caller is gone (stopped client or silo); it will observe its own timeout or failure.
            _metrics?.MessageFailed();
            _logger.LogDebug(failure, "Response {Id} to {Destination} could not be delivered", id, destination);
        }
    }

    public void OnFrame(ReadOnlyMemory<byte> frame)
    {
        _metrics?.MessageReceived();
        long id = 0;
        var kind = FrameKind.Request;
        try
        {
            var reader = new Utf8JsonReader(frame.Span);
            kind = MessageCodec.ReadHeader(ref reader, out id);
            if (kind == FrameKind.Response)
            {
                if (!_pending.TryGetValue(id, out var pending))
                {
                    return;
                }

                var result = _codec.ReadResponse(ref reader, pending.Method, out var error);
                if (error is null)
                {
                    pending.Completion.TrySetResult(result);
                }
                else
                {
                    pending.Completion.TrySetException(_exceptions.Recreate(error));
                }

                return;
            }

            var request = _codec.ReadRequest(ref reader, id);
            if (RequestReceived is { } handler)
            {
                handler(request);
            }
            else
            {
                _ = SendResponseAsync(request.ReplyTo, id, request.Method, null, new InvalidOperationException($"{Local} is a client and does not host grains."));
            }
        }
        catch (Exception exception)
        {
            _metrics?.MessageFailed();
            FailUndecodable(frame, kind, id, exception);
        }
    }

    private void FailUndecodable(ReadOnlyMemory<byte> frame, FrameKind kind, long id, Exception exception)
    {
        if (kind == FrameKind.Response)
        {
            if (_pending.TryGetValue(id, out var pending))
            {
                pending.Completion.TrySetException(exception);
            }

            return;
        }

        // A request we cannot decode: answer its sender if the header got us that far.
        try
        {
            var reader = new Utf8JsonReader(frame.Span);
            MessageCodec.ReadHeader(ref reader, out _);
            reader.Read();
            reader.Read();
            var replyTo = SiloAddress.Parse(reader.GetString()!);
            _ = SendResponseAsync(replyTo, id, null, null, exception);
        }
        catch (Exception secondary)
        {
            _logger.LogWarning(secondary, "Dropped an undecodable frame: {Error}", exception.Message);
        }
    }

    private sealed class Pending(GrainMethodDescriptor method)
    {
        public GrainMethodDescriptor Method { get; } = method;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
