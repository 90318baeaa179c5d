namespace OrleansTenancy.Tenancy;

/// <summary>
/// The ambient <see cref="TenantContext"/> of the current async flow. It is stored in an
/// <see cref="AsyncLocal{T}"/>, so it flows into awaited continuations, <see cref="Task.Run(Action)"/> and
/// thread-pool work items queued with the execution context (not into <c>UnsafeQueueUserWorkItem</c>), and a value
/// set inside a child task never leaks back to its parent.
/// </summary>
public static class AmbientTenantContext
{
    private static readonly AsyncLocal<TenantContext?> _current = new();

    /// <summary>The ambient context, or <see langword="null"/> when none is set.</summary>
    public static TenantContext? Current => _current.Value;

    /// <summary>
    /// Makes <paramref name="context"/> the ambient context until the returned scope is disposed, which restores the
    /// previous one. Dispose the scope on the flow that entered it (a <c>using</c> block).
    /// </summary>
    /// <param name="context">The context; must not be empty.</param>
    /// <returns>The scope that restores the previous context.</returns>
    public static TenantContextScope Enter(TenantContext context)
    {
        if (context.IsEmpty)
        {
            throw new ArgumentException("An empty TenantContext cannot be made ambient; build one with a tenant and a workspace.", nameof(context));
        }

        return Swap(context);
    }

    /// <summary>Clears the ambient context until the returned scope is disposed (for work that must not inherit one).</summary>
    /// <returns>The scope that restores the previous context.</returns>
    public static TenantContextScope Suppress() => Swap(null);

    private static TenantContextScope Swap(TenantContext? context)
    {
        var previous = _current.Value;
        _current.Value = context;
        return new TenantContextScope(previous);
    }

    internal static void Restore(TenantContext? previous) => _current.Value = previous;
}

/// <summary>Restores the previous ambient <see cref="TenantContext"/> when disposed; a second dispose does nothing.</summary>
public sealed class TenantContextScope : IDisposable
{
    private readonly TenantContext? _previous;
    private bool _disposed;

    internal TenantContextScope(TenantContext? previous) => _previous = previous;

    /// <summary>The context that was ambient before this scope, restored on dispose.</summary>
    public TenantContext? Previous => _previous;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        AmbientTenantContext.Restore(_previous);
    }
}
