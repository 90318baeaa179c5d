namespace OrleansTenancy.Runtime.Catalog;

/*
 * The mailbox: which work item may start, given what is already running.
 *
 * Invariants (all guarded by _lock):
 *  - A non-reentrant activation runs at most one "exclusive" item at a time, and nothing else alongside it
 *    except items that interleave (AlwaysInterleave methods, interleaving timers). Read-only items run
 *    together, but never with an exclusive item.
 *  - Items start in arrival order: an item that could start but has a queued item ahead of it waits (this
 *    keeps writers from starving behind a stream of readers). Interleaving items skip the queue.
 *  - Nothing starts before activation completed (state Valid) or once a deactivation was requested; such
 *    items stay queued and are handed to the next activation after this one is gone, so they observe the
 *    state the deactivation persisted, never a second live activation.
 *  - Every started item runs on this activation's ActivationTaskScheduler, so grain code runs on one thread
 *    at a time even when items interleave at await points.
 * Failure modes: an item that never completes blocks an exclusive activation until its caller times out;
 * queued requests whose caller already gave up are rejected with TimeoutException instead of being run.
 */
internal sealed partial class ActivationData
{
    private static readonly Action<object?> RunItemAction = static state => _ = ((WorkItem)state!).Owner!.RunItemAsync((WorkItem)state);

    private readonly object _lock = new();
    private readonly Queue<WorkItem> _queue = new();
    private ActivationState _state;
    private int _running;
    private int _runningReaders;
    private int _queuedInterleaving;
    private long _lastActivity;
    private DeactivationReason? _deactivationReason;

    /// <summary>Running plus queued items: how busy this activation is, for stateless-worker selection.</summary>
    public int Load
    {
        get
        {
            lock (_lock)
            {
                return _running + _queue.Count;
            }
        }
    }

    /// <summary>Accepts an item; false when the activation is gone and the caller must look the grain up again.</summary>
    public bool Enqueue(WorkItem item)
    {
        lock (_lock)
        {
            if (_state == ActivationState.Invalid)
            {
                return false;
            }

            if (!CanStartLocked(item, isHead: false))
            {
                _queue.Enqueue(item);
                if (item.Interleaves)
                {
                    _queuedInterleaving++;
                }

                return true;
            }

            MarkStartedLocked(item);
        }

        Schedule(item);
        return true;
    }

    /// <summary>Starts activation on the activation's scheduler; called once, by the creator, after the first item is queued.</summary>
    public void StartActivation()
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Factory.StartNew(ActivateAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler);
        }
    }

    /// <inheritdoc />
    public void Deactivate(DeactivationReason reason)
    {
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Invalid || _deactivationReason is not null)
            {
                return;
            }

            _deactivationReason = reason;
            if (_state != ActivationState.Valid || _running != 0)
            {
                return;
            }

            _state = ActivationState.Deactivating;
        }

        ScheduleDeactivation(reason);
    }

    /// <summary>Starts deactivation if the activation is valid, has no work and was idle for at least <paramref name="age"/>.</summary>
    public bool TryCollectIdle(TimeSpan age)
    {
        var reason = new DeactivationReason(DeactivationReasonCode.ActivationIdle, $"Idle for at least {age}.");
        lock (_lock)
        {
            if (_state != ActivationState.Valid || _running != 0 || _queue.Count != 0 || _deactivationReason is not null
                || Time.GetElapsedTime(_lastActivity) < age)
            {
                return false;
            }

            _deactivationReason = reason;
            _state = ActivationState.Deactivating;
        }

        ScheduleDeactivation(reason);
        return true;
    }

    private void OnActivated()
    {
        List<WorkItem>? start;
        List<GrainRequest>? expired = null;
        DeactivationReason? deactivate = null;
        lock (_lock)
        {
            _state = ActivationState.Valid;
            if (_deactivationReason is { } reason && _running == 0)
            {
                _state = ActivationState.Deactivating;
                deactivate = reason;
                start = null;
            }
            else
            {
                start = PumpLocked(ref expired);
            }
        }

        StartAll(start, expired);
        if (deactivate is { } r)
        {
            ScheduleDeactivation(r);
        }
    }

    private async Task RunItemAsync(WorkItem item)
    {
        try
        {
            await item.ExecuteAsync(this);
        }
        catch (Exception exception)
        {
            // Work items report their own failures; reaching here means a bug in the item itself.
            item.Reject(exception);
        }
        finally
        {
            OnItemCompleted(item);
        }
    }

    private void OnItemCompleted(WorkItem item)
    {
        List<WorkItem>? start = null;
        List<GrainRequest>? expired = null;
        DeactivationReason? deactivate = null;
        lock (_lock)
        {
            _running--;
            if (IsReader(item))
            {
                _runningReaders--;
            }

            if (item.KeepAlive)
            {
                _lastActivity = Time.GetTimestamp();
            }

            if (_deactivationReason is { } reason)
            {
                if (_running == 0 && _state == ActivationState.Valid)
                {
                    _state = ActivationState.Deactivating;
                    deactivate = reason;
                }
            }
            else
            {
                start = PumpLocked(ref expired);
            }
        }

        StartAll(start, expired);
        if (deactivate is { } r)
        {
            ScheduleDeactivation(r);
        }
    }

    private List<WorkItem>? PumpLocked(ref List<GrainRequest>? expired)
    {
        List<WorkItem>? start = null;
        if (_queuedInterleaving == 0)
        {
            // Common case: only the head can start; stop at the first item that cannot.
            while (_queue.TryPeek(out var head))
            {
                if (head is GrainRequest { IsExpired: true } stale)
                {
                    _queue.Dequeue();
                    (expired ??= []).Add(stale);
                    continue;
                }

                if (!CanStartLocked(head, isHead: true))
                {
                    break;
                }

                _queue.Dequeue();
                MarkStartedLocked(head);
                (start ??= []).Add(head);
            }

            return start;
        }

        // Some queued items may interleave: one ordered pass, re-queueing what must keep waiting.
        var count = _queue.Count;
        var blocked = false;
        for (var i = 0; i < count; i++)
        {
            var item = _queue.Dequeue();
            if (item.Interleaves)
            {
                _queuedInterleaving--;
            }

            if (item is GrainRequest { IsExpired: true } stale)
            {
                (expired ??= []).Add(stale);
                continue;
            }

            if ((item.Interleaves || !blocked) && CanStartLocked(item, isHead: true))
            {
                MarkStartedLocked(item);
                (start ??= []).Add(item);
                continue;
            }

            blocked = true;
            _queue.Enqueue(item);
            if (item.Interleaves)
            {
                _queuedInterleaving++;
            }
        }

        return start;
    }

    private bool CanStartLocked(WorkItem item, bool isHead)
    {
        if (_state != ActivationState.Valid || _deactivationReason is not null)
        {
            return false;
        }

        if (GrainClass.IsReentrant || item.Interleaves)
        {
            return true;
        }

        if (!isHead && _queue.Count > 0)
        {
            return false;
        }

        return _running == 0 || (item.ReadOnly && _running == _runningReaders);
    }

    private void MarkStartedLocked(WorkItem item)
    {
        _running++;
        if (IsReader(item))
        {
            _runningReaders++;
        }

        if (item.KeepAlive)
        {
            _lastActivity = Time.GetTimestamp();
        }
    }

    private static bool IsReader(WorkItem item) => item.ReadOnly && !item.Interleaves;

    private void StartAll(List<WorkItem>? start, List<GrainRequest>? expired)
    {
        if (expired is not null)
        {
            foreach (var request in expired)
            {
                request.Reject(new TimeoutException($"{request.Method.DisplayName} on {GrainId} waited {request.Timeout} in the activation's queue; its caller has timed out, so it was not run."));
            }
        }

        if (start is not null)
        {
            foreach (var item in start)
            {
                Schedule(item);
            }
        }
    }

    // Turns start with a clean execution context: whatever AsyncLocal state the thread that happened to
    // schedule them carried (a caller, or the previous turn) must not leak into the grain.
    private void Schedule(WorkItem item)
    {
        item.Owner = this;
        using (ExecutionContext.SuppressFlow())
        {
            new Task(RunItemAction, item, CancellationToken.None, TaskCreationOptions.DenyChildAttach).Start(_scheduler);
        }
    }

    private void ScheduleDeactivation(DeactivationReason reason)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Factory.StartNew(() => DeactivateAsync(reason), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _scheduler);
        }
    }
}
