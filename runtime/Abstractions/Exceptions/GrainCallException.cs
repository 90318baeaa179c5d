namespace OrleansTenancy.Runtime;

/// <summary>
/// A grain call failed on another silo with an exception whose type cannot be recreated here; keeps the
/// original type name, message and stack trace.
/// </summary>
public sealed class GrainCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainCallException()
        : this("A grain call failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GrainCallException(string message)
        : base(message)
    {
        OriginalExceptionType = typeof(GrainCallException).FullName!;
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public GrainCallException(string message, Exception innerException)
        : base(message, innerException)
    {
        OriginalExceptionType = innerException?.GetType().FullName ?? typeof(GrainCallException).FullName!;
    }

    /// <summary>Creates the exception describing a remote failure.</summary>
    /// <param name="originalExceptionType">Full name of the exception type thrown by the grain.</param>
    /// <param name="originalMessage">Its message.</param>
    /// <param name="remoteStackTrace">Its stack trace on the remote silo, if sent.</param>
    public GrainCallException(string originalExceptionType, string originalMessage, string? remoteStackTrace)
        : base($"{originalExceptionType}: {originalMessage}")
    {
        OriginalExceptionType = originalExceptionType;
        OriginalMessage = originalMessage;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Full name of the exception type thrown by the grain.</summary>
    public string OriginalExceptionType { get; }

    /// <summary>The original message, without the type prefix.</summary>
    public string? OriginalMessage { get; }

    /// <summary>The stack trace on the silo where the exception was thrown.</summary>
    public string? RemoteStackTrace { get; }
}
