namespace OrleansTenancy.OpenRouter.Simulator;

/// <summary>One request the simulator answered.</summary>
/// <param name="Sequence">1-based arrival order.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="RequestId">The <c>X-Request-Id</c> header, if sent.</param>
/// <param name="Referer">The <c>HTTP-Referer</c> header, if sent.</param>
/// <param name="Title">The <c>X-Title</c> header, if sent.</param>
/// <param name="HadAuthorization">Whether an <c>Authorization</c> header was sent (its value is never kept).</param>
/// <param name="Body">The raw request body, exactly as received.</param>
/// <param name="Status">The HTTP status answered.</param>
/// <param name="ModelUsed">The model that served the request, after fallback.</param>
/// <param name="Outcome"><c>ok</c>, <c>error</c>, <c>stream-error</c> or <c>client-disconnected</c>.</param>
/// <param name="ChunksSent">Data chunks written, for streams.</param>
public sealed record RecordedRequest(
    long Sequence,
    string Method,
    string Path,
    string? RequestId,
    string? Referer,
    string? Title,
    bool HadAuthorization,
    string? Body,
    int Status,
    string? ModelUsed,
    string Outcome,
    int ChunksSent);

/// <summary>The simulator's request log: a total count and the most recent requests, readable while serving.</summary>
public sealed class RequestLog
{
    private readonly object _gate = new();
    private readonly Queue<RecordedRequest> _recent = new();
    private readonly List<(Func<RecordedRequest, bool> Match, TaskCompletionSource<RecordedRequest> Done)> _waiters = [];
    private readonly int _capacity;
    private long _count;

    /// <summary>Creates a log keeping <paramref name="capacity"/> recent requests.</summary>
    /// <param name="capacity">How many recent requests to keep.</param>
    public RequestLog(int capacity) => _capacity = Math.Max(1, capacity);

    /// <summary>Requests recorded since start (or the last <see cref="Clear"/>).</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>A snapshot of the most recent requests, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    /// <summary>Completes when a request matching <paramref name="match"/> has been recorded (including already).</summary>
    /// <param name="match">The condition.</param>
    public Task<RecordedRequest> WhenRecorded(Func<RecordedRequest, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_gate)
        {
            foreach (var request in _recent)
            {
                if (match(request))
                {
                    return Task.FromResult(request);
                }
            }

            var done = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task;
        }
    }

    /// <summary>Forgets every recorded request.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _recent.Clear();
            Interlocked.Exchange(ref _count, 0);
        }
    }

    internal long NextSequence() => Interlocked.Increment(ref _count);

    internal void Add(RecordedRequest request)
    {
        List<TaskCompletionSource<RecordedRequest>>? matched = null;
        lock (_gate)
        {
            _recent.Enqueue(request);
            while (_recent.Count > _capacity)
            {
                _recent.Dequeue();
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(request))
                {
                    (matched ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        matched?.ForEach(done => done.TrySetResult(request));
    }
}
