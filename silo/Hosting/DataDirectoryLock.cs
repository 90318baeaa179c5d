namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Holds an exclusive lock on <c>silo.lock</c> in the data directory (and in the settlements folder when it lies
/// elsewhere) for the life of the silo, so that a second silo started on the same folder stops at once with a clear
/// message instead of sharing the SQLite file, the tenant claims or the settlement journal with the first.
/// </summary>
/// <remarks>
/// The lock is the operating system's (on Linux and macOS an advisory <c>flock</c>, taken by opening the file with no
/// sharing): it belongs to the open file, so the kernel releases it when the process ends in any way, SIGKILL
/// included, and a stale lock file never blocks a later start.
/// </remarks>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the data directory.</summary>
    public const string FileName = "silo.lock";

    private readonly IReadOnlyList<FileStream> _files;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DataDirectoryLock(IReadOnlyList<FileStream> files) => _files = files;

    /// <summary>
    /// Completes once the lock is released. The host's container releases it last, after every service that uses the
    /// data directory; a host started in the same process on the same folder (an in-process restart) waits for this.
    /// </summary>
    public Task Released => _released.Task;

    /// <summary>
    /// Creates <paramref name="dataDirectory"/> (and <paramref name="settlementsDirectory"/>, when given and elsewhere) if
    /// needed and takes the lock of each, or of neither.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another process holds one of the locks; the message names its folder.</exception>
    public static DataDirectoryLock Acquire(string dataDirectory, string? settlementsDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var files = new List<FileStream> { Lock(Path.GetFullPath(dataDirectory), "data directory") };
        try
        {
            if (!string.IsNullOrWhiteSpace(settlementsDirectory) && !TenancyHostOptions.SameFolder(settlementsDirectory, dataDirectory))
            {
                files.Add(Lock(Path.GetFullPath(settlementsDirectory), "settlements folder"));
            }
        }
        catch
        {
            files.ForEach(file => file.Dispose());
            throw;
        }

        return new DataDirectoryLock(files);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }

        _released.TrySetResult();
    }

    private static FileStream Lock(string folder, string what)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException error) when (File.Exists(path))
        {
            throw new DataDirectoryInUseException(
                $"Another silo is using the {what} '{folder}' (it holds {path}). Stop that silo, or give this one folders "
                + "of its own: --Tenancy:DataDirectory <dir> (and --Tenancy:SettlementsDirectory <dir> when it is set; each silo "
                + "needs its own, and on one machine its own --urls and --Cluster:SiloPort / --Cluster:GatewayPort).", error);
        }
    }
}

/// <summary>The data directory is held by another silo; the message says which folder and what to do.</summary>
public sealed class DataDirectoryInUseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataDirectoryInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DataDirectoryInUseException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public DataDirectoryInUseException(string message)
        : base(message)
    {
    }
}
