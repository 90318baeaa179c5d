namespace OrleansTenancy.Sql;

/// <summary>
/// Collects items from many callers and hands them to a sender in batches: items that arrive while the batches in
/// flight are being sent wait and go together in the next one. The sender completes the items' own tasks.
/// </summary>
/// <remarks>
/// When the sender throws for a batch of several items, each item is sent again alone, so one item's failure does
/// not fail the others; an item that fails alone is handed to the failure callback with its error.
/// </remarks>
/// <typeparam name="T">What is batched (a write, with the completion its caller waits on).</typeparam>
public sealed class BatchDrainer<T>
{
    private readonly Func<List<T>, Task> _send;
    private readonly Action<T, Exception> _fail;
    private readonly int _maxBatch;
    private readonly int _maxInFlight;
    private readonly Lock _lock = new();
    private readonly List<T> _pending = [];
    private int _running;

    /// <summary>Creates a drainer.</summary>
    /// <param name="send">Sends one batch and completes its items; throws when the batch failed as a whole.</param>
    /// <param name="fail">Completes an item that failed when sent alone.</param>
    /// <param name="maxBatch">The most items per batch.</param>
    /// <param name="maxInFlight">The most batches being sent at once (1 for a store with a single writer).</param>
    public BatchDrainer(Func<List<T>, Task> send, Action<T, Exception> fail, int maxBatch, int maxInFlight)
    {
        _send = send ?? throw new ArgumentNullException(nameof(send));
        _fail = fail ?? throw new ArgumentNullException(nameof(fail));
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

            await SendAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(List<T> batch)
    {
        try
        {
            await _send(batch).ConfigureAwait(false);
        }
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var item in batch)
            {
                await SendAsync([item]).ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            _fail(batch[0], error);
        }
    }
}
