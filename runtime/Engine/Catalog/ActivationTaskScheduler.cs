namespace OrleansTenancy.Runtime.Catalog;

/// <summary>
/// Runs the tasks of one activation one at a time, in order, on the thread pool. Grain code started on
/// this scheduler resumes here after every <c>await</c> (the awaiter captures <see cref="TaskScheduler.Current"/>),
/// so even interleaving calls never run grain code on two threads at once.
/// </summary>
internal sealed class ActivationTaskScheduler : TaskScheduler, IThreadPoolWorkItem
{
    // How many tasks one thread-pool visit runs before yielding the thread to others (fairness between activations).
    private const int TasksPerVisit = 64;

    [ThreadStatic]
    private static ActivationTaskScheduler? t_running;

    private readonly Queue<Task> _queue = new();
    private bool _scheduled;

    public override int MaximumConcurrencyLevel => 1;

    void IThreadPoolWorkItem.Execute()
    {
        t_running = this;
        try
        {
            for (var i = 0; i < TasksPerVisit; i++)
            {
                Task? next;
                lock (_queue)
                {
                    if (!_queue.TryDequeue(out next))
                    {
                        _scheduled = false;
                        return;
                    }
                }

                TryExecuteTask(next);
            }
        }
        finally
        {
            t_running = null;
        }

        lock (_queue)
        {
            if (_queue.Count == 0)
            {
                _scheduled = false;
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    protected override void QueueTask(Task task)
    {
        lock (_queue)
        {
            _queue.Enqueue(task);
            if (_scheduled)
            {
                return;
            }

            _scheduled = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
    }

    // Inline only on the thread that is already running this activation's turns: that keeps one thread at a time.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        ReferenceEquals(t_running, this) && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_queue)
        {
            return _queue.ToArray();
        }
    }
}
