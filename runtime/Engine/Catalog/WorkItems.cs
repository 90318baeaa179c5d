using System.Diagnostics;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Catalog;

/// <summary>Something an activation runs as a turn: a grain call or a timer tick.</summary>
internal abstract class WorkItem
{
    /// <summary>May run alongside anything (AlwaysInterleave method, interleaving timer).</summary>
    public bool Interleaves { get; init; }

    /// <summary>May run alongside other read-only items.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Counts as activity for idle collection.</summary>
    public bool KeepAlive { get; init; } = true;

    /// <summary>The activation running the item; set when it is scheduled.</summary>
    public ActivationData? Owner { get; set; }

    public abstract Task ExecuteAsync(ActivationData activation);

    /// <summary>Called instead of <see cref="ExecuteAsync"/> when the item cannot run (activation failed, silo stopping).</summary>
    public abstract void Reject(Exception exception);
}

/// <summary>
/// One grain call on its way through an activation. Subclasses deliver the outcome: to a local awaiting
/// caller or back over the transport.
/// </summary>
#pragma warning disable CA1001 // The token source is disposed when the request finishes (Finish), not by an owner.
internal abstract class GrainRequest : WorkItem
#pragma warning restore CA1001
{
    private CancellationTokenSource? _cancellation;
    private CancellationToken _callerToken;

    protected GrainRequest(GrainIdentity target, GrainMethodDescriptor method, object?[] arguments, TimeSpan timeout, TimeProvider time, int hops)
    {
        Target = target;
        Method = method;
        Arguments = arguments;
        Timeout = timeout;
        Time = time;
        Hops = hops;
        StartTimestamp = time.GetTimestamp();
        Interleaves = method.AlwaysInterleave;
        ReadOnly = method.ReadOnly;
        if (method.TakesCancellationToken)
        {
            // Only methods that can observe cancellation pay for a token source; it fires with the caller's timeout.
            _cancellation = new CancellationTokenSource(timeout, time);
        }
    }

    public GrainIdentity Target { get; }

    public GrainMethodDescriptor Method { get; }

    public object?[] Arguments { get; }

    public TimeSpan Timeout { get; }

    public TimeProvider Time { get; }

    public long StartTimestamp { get; }

    public int Hops { get; }

    /// <summary>The caller's span, parent of the Server span of this call (default when tracing is off).</summary>
    public ActivityContext TraceParent { get; init; }

    public CancellationToken CancellationToken => _cancellation?.Token ?? CancellationToken.None;

    public bool IsExpired => Time.GetElapsedTime(StartTimestamp) >= Timeout;

    /// <summary>Links the caller's own token: cancelling it cancels the grain's token.</summary>
    public void LinkCallerToken(CancellationToken callerToken)
    {
        if (callerToken.CanBeCanceled && _cancellation is { } source)
        {
            _callerToken = callerToken;
            callerToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        }
    }

    public override async Task ExecuteAsync(ActivationData activation)
    {
        var started = Stopwatch.GetTimestamp();
        // Stopped before the outcome is delivered, so a caller that observed the result also sees the span ended.
        var activity = RuntimeTracing.StartServer(Method.DisplayName, Target, TraceParent);
        object? result;
        try
        {
            result = await Method.Invoker(activation.GrainInstance!, Arguments, CancellationToken);
        }
        catch (Exception exception)
        {
            activation.Metrics.RecordCall(activation.GrainClass.Name, Stopwatch.GetElapsedTime(started), failed: true);
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().FullName);
            activity?.Dispose();
            if (exception is OperationCanceledException && _cancellation is { IsCancellationRequested: true } && !_callerToken.IsCancellationRequested)
            {
                // The grain gave up because the response timeout passed: report it as the timeout it is, whichever
                // of the caller's timer and the grain's token fired first.
                exception = new TimeoutException($"{Method.DisplayName} on {Target} was cancelled after its response timeout of {Timeout}.", exception);
            }

            if (exception is InconsistentStateException)
            {
                activation.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, $"{Method.DisplayName} hit a storage conflict.", exception));
            }

            Finish(null, exception);
            return;
        }

        activation.Metrics.RecordCall(activation.GrainClass.Name, Stopwatch.GetElapsedTime(started), failed: false);
        activity?.Dispose();
        Finish(result, null);
    }

    public override void Reject(Exception exception) => Finish(null, exception);

    /// <summary>Delivers the outcome and releases the cancellation source; used directly when the request was forwarded elsewhere.</summary>
    public void Finish(object? result, Exception? exception)
    {
        _cancellation?.Dispose();
        _cancellation = null;
        Complete(result, exception);
    }

    /// <summary>Delivers the outcome; exactly one of the two is meaningful.</summary>
    protected abstract void Complete(object? result, Exception? exception);
}

/// <summary>A call from this process: the outcome completes a task the caller awaits.</summary>
internal sealed class LocalGrainRequest : GrainRequest
{
    private readonly TaskCompletionSource<object?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LocalGrainRequest(GrainIdentity target, GrainMethodDescriptor method, object?[] arguments, TimeSpan timeout, TimeProvider time)
        : base(target, method, arguments, timeout, time, hops: 0)
    {
        TraceParent = RuntimeTracing.CaptureParent();
    }

    public Task<object?> Task => _completion.Task;

    /// <summary>When set, the result is copied through the serializer before the caller sees it.</summary>
    public Messaging.MessageCodec? Isolation { get; init; }

    protected override void Complete(object? result, Exception? exception)
    {
        if (exception is null && Isolation is not null)
        {
            try
            {
                result = Isolation.CopyResult(Method, result);
            }
            catch (GrainSerializationException failure)
            {
                exception = failure;
            }
        }

        if (exception is null)
        {
            _completion.TrySetResult(result);
        }
        else
        {
            _completion.TrySetException(exception);
        }
    }
}
