namespace OrleansTenancy.Runtime;

/// <summary>
/// A conditional storage operation found a different version than the one it expected: another
/// activation (or process) wrote the record first. The runtime deactivates the activation that hit it, so
/// the next call re-reads the current state.
/// </summary>
public sealed class InconsistentStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InconsistentStateException()
        : base("The stored grain state changed since it was read (ETag mismatch).")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public InconsistentStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public InconsistentStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the expected and stored ETags.</summary>
    public InconsistentStateException(string message, string? storedEtag, string? currentEtag)
        : base($"{message} (stored ETag: {storedEtag ?? "<none>"}, expected ETag: {currentEtag ?? "<none>"})")
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    /// <summary>The ETag found in storage, if known.</summary>
    public string? StoredEtag { get; }

    /// <summary>The ETag the writer expected, if known.</summary>
    public string? CurrentEtag { get; }
}
