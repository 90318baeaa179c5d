namespace OrleansTenancy.Grains.Tests.Routing;

/// <summary>
/// The journal's flush, held while a test says so: it counts the lines on disk once a flush returns, so a test can
/// tell whether a save completed before a flush of its line returned.
/// </summary>
internal sealed class FlushGate : IDisposable
{
    private readonly object _gate = new();
    private TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _open = new(initialState: true);
    private int _linesFlushed;

    /// <summary>Completes when a flush begins while held.</summary>
    public Task Entered
    {
        get
        {
            lock (_gate)
            {
                return _entered.Task;
            }
        }
    }

    /// <summary>Lines on disk as of the last flush that returned.</summary>
    public int LinesFlushed => Volatile.Read(ref _linesFlushed);

    public void Hold()
    {
        lock (_gate)
        {
            _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _open.Reset();
        }
    }

    public void Release() => _open.Set();

    public void Dispose() => _open.Dispose();

    public void Flush(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path)
    {
        var lines = LinesIn(path); // what this flush makes durable: the lines written before it
        lock (_gate)
        {
            _entered.TrySetResult();
        }

        _open.Wait(TimeSpan.FromSeconds(10));
        RandomAccess.FlushToDisk(file);
        InterlockedMax(ref _linesFlushed, lines);
    }

    private static int LinesIn(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var count = 0;
        int b;
        while ((b = stream.ReadByte()) > 0)
        {
            count += b == '\n' ? 1 : 0;
        }

        return count;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
