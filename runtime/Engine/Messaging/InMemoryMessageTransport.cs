using System.Collections.Concurrent;
using OrleansTenancy.Runtime.Membership;

namespace OrleansTenancy.Runtime.Messaging;

/// <summary>
/// A transport between endpoints of one process (the silos and client of an in-process cluster). Frames
/// are copied and delivered on the thread pool, so sender and receiver never share objects: everything a
/// call carries really goes through the serializer.
/// </summary>
/// <remarks>
/// Frames reach an endpoint in the order they were sent to it, as over one TCP connection: a call sent after another
/// to the same grain is dispatched after it. One drain at a time runs per endpoint, on the thread pool.
/// </remarks>
public sealed class InMemoryMessageTransport : IMessageTransport
{
    private readonly ConcurrentDictionary<SiloAddress, Inbox> _endpoints = new();

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> ListenAsync(SiloAddress local, IMessageHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var inbox = new Inbox(handler);
        if (!_endpoints.TryAdd(local, inbox))
        {
            throw new InvalidOperationException($"Endpoint {local} is already listening on this in-memory transport.");
        }

        return ValueTask.FromResult<IAsyncDisposable>(new Registration(this, local, inbox));
    }

    /// <inheritdoc />
    public ValueTask SendAsync(SiloAddress destination, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (!_endpoints.TryGetValue(destination, out var inbox))
        {
            throw new SiloUnavailableException($"Endpoint {destination} is not listening (stopped or never started).");
        }

        inbox.Post(frame.ToArray());
        return ValueTask.CompletedTask;
    }

    /// <summary>The frames waiting for one endpoint, delivered in order by at most one drain at a time.</summary>
    private sealed class Inbox(IMessageHandler handler) : IThreadPoolWorkItem
    {
        private readonly ConcurrentQueue<byte[]> _frames = new();
        private int _draining;

        public void Post(byte[] frame)
        {
            _frames.Enqueue(frame);
            if (Interlocked.Exchange(ref _draining, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        public void Execute()
        {
            while (true)
            {
                while (_frames.TryDequeue(out var frame))
                {
                    handler.OnFrame(frame);
                }

                Volatile.Write(ref _draining, 0);

                // A frame posted between the last dequeue and the reset saw a drain running and did not start one.
                if (_frames.IsEmpty || Interlocked.Exchange(ref _draining, 1) != 0)
                {
                    return;
                }
            }
        }
    }

    private sealed class Registration(InMemoryMessageTransport transport, SiloAddress local, Inbox inbox) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            transport._endpoints.TryRemove(KeyValuePair.Create(local, inbox));
            return ValueTask.CompletedTask;
        }
    }
}
