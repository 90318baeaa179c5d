namespace OrleansTenancy.Runtime;

/// <summary>A grain timer; dispose it to stop further ticks.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Reschedules the timer.</summary>
    /// <param name="dueTime">Time until the next tick.</param>
    /// <param name="period">Time between the end of one tick and the next; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    void Change(TimeSpan dueTime, TimeSpan period);
}

/// <summary>How a grain timer behaves.</summary>
public sealed class GrainTimerCreationOptions
{
    /// <summary>Time until the first tick. Defaults to zero.</summary>
    public TimeSpan DueTime { get; init; }

    /// <summary>Time between the end of one tick and the start of the next. Defaults to <see cref="Timeout.InfiniteTimeSpan"/> (one tick).</summary>
    public TimeSpan Period { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Whether ticks may interleave with calls on a non-reentrant grain. Defaults to false.</summary>
    public bool Interleave { get; init; }

    /// <summary>Whether a tick counts as activity that keeps the activation from idle collection. Defaults to false.</summary>
    public bool KeepAlive { get; init; }
}
