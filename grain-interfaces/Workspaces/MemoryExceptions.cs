namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// A memory namespace that does not belong to the workspace it was sent to (another tenant's or workspace's, or
/// not a <c>&lt;tenant&gt;:&lt;workspace&gt;:&lt;name&gt;</c> namespace at all). The HTTP API maps it to 403.
/// </summary>
/// <remarks>The message names the namespace and the workspace; type and message reach callers on any silo.</remarks>
[GenerateSerializer, Alias("OrleansTenancy.NamespaceAccessDeniedException")]
public sealed class NamespaceAccessDeniedException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public NamespaceAccessDeniedException()
        : base("The memory namespace does not belong to this workspace.")
    {
    }

    /// <summary>Creates the exception with a message naming the namespace and the workspace.</summary>
    public NamespaceAccessDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public NamespaceAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A memory or cache write that would exceed a per-workspace size limit. The message names the limit (as its
/// <c>WorkspaceMemoryOptions</c> property), the current value, the limit and the workspace.
/// </summary>
[GenerateSerializer, Alias("OrleansTenancy.MemoryLimitExceededException")]
public sealed class MemoryLimitExceededException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public MemoryLimitExceededException()
        : base("A workspace memory limit was exceeded.")
    {
    }

    /// <summary>Creates the exception with a message naming the limit, the current value and the workspace.</summary>
    public MemoryLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public MemoryLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
