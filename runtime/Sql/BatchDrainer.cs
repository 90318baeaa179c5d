namespace OrleansTenancy.Runtime.Sql;

/// <summary>
/// Collects items from many callers and hands them to a sender in batches: items that arrive while the batches in
/// flight are being sent wait and go together in the next one. The sender completes the items' own tasks.
/// </summary>
/// <typeparam name="T">What is batched (a write, with the completion its caller waits on).</typeparam>
public sealed class BatchDrainer<T>
{
    private readonly Func<List<T>, Task> _send;
    private readonly int _maxBatch;
    private readonly int _maxInFlight;
    private readonly Lock _lock = new();
    private readonly List<T> _pending = [];
    private int _running;

    /// <summary>Creates a drainer.</summary>
    /// <param name="send">Sends one batch; it must not throw (it reports each item's outcome itself).</param>
    /// <param name="maxBatch">The most items per batch.</param>
    /// <param name="maxInFlight">The most batches being sent at once (1 for a store with a single writer).</param>
    public BatchDrainer(Func<List<T>, Task> send, int maxBatch, int maxInFlight)
    {
        _send = send ?? throw new ArgumentNullException(nameof(send));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _maxBatch = maxBatch;
        _maxInFlight = maxInFlight;
    }

    /// <summary>Queues <paramref name="item"/>; it is sent with the next batch.</summary>
    public void Add(T item)
    {
        bool start;
        lock (_lock)
        {
            _pending.Add(item);
            start = _running < _maxInFlight;
            if (start)
            {
                _running++;
            }
        }

        if (start)
        {
            // Off the caller's thread: database calls may complete synchronously, and the caller may hold a turn that
            // other items of this batch are waiting to join.
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<T> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _running--;
                    return;
                }

                var take = Math.Min(_pending.Count, _maxBatch);
                batch = _pending.GetRange(0, take);
                _pending.RemoveRange(0, take);
            }

            await _send(batch).ConfigureAwait(false);
        }
    }
}
