namespace OrleansTenancy.Grains.Persistence;

/// <summary>
/// Coalesces the durability needs of concurrent requests into as few storage writes as possible (group commit).
/// </summary>
/// <remarks>
/// <para>
/// Invariant: a caller that mutated state in memory and then awaits <see cref="WhenDurable"/> is released only
/// after a write that started <em>after</em> its mutation has succeeded, so no caller learns of a change before
/// storage holds it.
/// </para>
/// <para>
/// At most one write is in flight. Mutations made while it runs join the next batch, which is written as soon as
/// the current write ends and the work already queued on the thread pool has run: under load one write carries every
/// request that arrived during the previous write, so throughput follows the write latency rather than one write per
/// request.
/// </para>
/// <para>
/// When a write fails, its batch and the batch collecting behind it fail together: both were decided on in-memory
/// state that storage does not hold. <c>onFailure</c> runs before any waiter is released, so the owner can discard
/// that state (re-read it) before a retrying caller is served.
/// </para>
/// <para>
/// Callers must serialise <see cref="WhenDurable"/> with their own mutations (a grain turn, or a lock shared with
/// the write delegate); the committer keeps its own fields consistent with a private lock.
/// </para>
/// </remarks>
public sealed class GroupCommitter
{
    private readonly Func<Task> _write;
    private readonly Func<Exception, Task> _onFailure;
    private readonly Lock _gate = new();
    private Batch? _collecting;
    private bool _writing;

    /// <summary>Creates a committer around a write delegate.</summary>
    /// <param name="write">Persists the current in-memory state (everything mutated so far).</param>
    /// <param name="onFailure">Discards un-persisted state after a failed write; runs before waiters are released.</param>
    public GroupCommitter(Func<Task> write, Func<Exception, Task> onFailure)
    {
        _write = write ?? throw new ArgumentNullException(nameof(write));
        _onFailure = onFailure ?? throw new ArgumentNullException(nameof(onFailure));
    }

    /// <summary>The number of writes that succeeded.</summary>
    public long WritesSucceeded { get; private set; }

    /// <summary>The number of callers released by successful writes.</summary>
    public long CallersCommitted { get; private set; }

    /// <summary>Whether a write is in flight or waiting to start.</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _writing || _collecting is not null;
            }
        }
    }

    /// <summary>
    /// Returns a task that completes when a write containing every mutation made before this call has succeeded,
    /// and faults with the write's exception when that write fails.
    /// </summary>
    public Task WhenDurable()
    {
        Batch batch;
        bool start;
        lock (_gate)
        {
            batch = _collecting ??= new Batch();
            batch.Members++;
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            // Off the caller's thread: a provider whose "async" write completes synchronously (SQLite) would otherwise
            // write inside the caller's turn, and nothing could join the batch while it runs.
            _ = Task.Run(RunAsync);
        }

        return batch.Task;
    }

    private async Task RunAsync()
    {
        while (true)
        {
            // Let the work already queued on the thread pool run first: under load it holds more mutations (other
            // callers' settlements and grants) that then join this write instead of needing the next one. Idle, it
            // costs one hand-off and no time; no timer is involved.
            await Task.Yield();
            Batch batch;
            lock (_gate)
            {
                if (_collecting is null)
                {
                    _writing = false;
                    return;
                }

                batch = _collecting;
                _collecting = null;
            }

            try
            {
                await _write();
            }
            catch (Exception ex)
            {
                Batch? behind;
                lock (_gate)
                {
                    behind = _collecting;
                    _collecting = null;
                    _writing = false;
                }

                try
                {
                    await _onFailure(ex);
                }
                finally
                {
                    batch.TrySetException(ex);
                    behind?.TrySetException(ex);
                }

                return;
            }

            WritesSucceeded++;
            CallersCommitted += batch.Members;
            batch.TrySetResult();
        }
    }

    /// <summary>One write's worth of waiting callers.</summary>
    private sealed class Batch() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public int Members { get; set; }
    }
}
