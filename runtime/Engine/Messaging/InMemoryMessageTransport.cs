using System.Collections.Concurrent;
using OrleansTenancy.Runtime.Membership;

namespace OrleansTenancy.Runtime.Messaging;

/// <summary>
/// A transport between endpoints of one process (the silos and client of an in-process cluster). Frames
/// are copied and delivered on the thread pool, so sender and receiver never share objects: everything a
/// call carries really goes through the serializer.
/// </summary>
public sealed class InMemoryMessageTransport : IMessageTransport
{
    private readonly ConcurrentDictionary<SiloAddress, IMessageHandler> _endpoints = new();

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> ListenAsync(SiloAddress local, IMessageHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (!_endpoints.TryAdd(local, handler))
        {
            throw new InvalidOperationException($"Endpoint {local} is already listening on this in-memory transport.");
        }

        return ValueTask.FromResult<IAsyncDisposable>(new Registration(this, local, handler));
    }

    /// <inheritdoc />
    public ValueTask SendAsync(SiloAddress destination, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (!_endpoints.TryGetValue(destination, out var handler))
        {
            throw new SiloUnavailableException($"Endpoint {destination} is not listening (stopped or never started).");
        }

        var copy = frame.ToArray();
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Handler.OnFrame(s.Copy), (Handler: handler, Copy: (ReadOnlyMemory<byte>)copy), preferLocal: false);
        return ValueTask.CompletedTask;
    }

    private sealed class Registration(InMemoryMessageTransport transport, SiloAddress local, IMessageHandler handler) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            transport._endpoints.TryRemove(KeyValuePair.Create(local, handler));
            return ValueTask.CompletedTask;
        }
    }
}
