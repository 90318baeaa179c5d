namespace OrleansTenancy.Runtime;

/// <summary>The activation a grain instance lives in, as the grain sees it.</summary>
public interface IGrainContext
{
    /// <summary>The identity of the grain.</summary>
    GrainIdentity GrainId { get; }

    /// <summary>A factory for references to other grains, calling through this silo.</summary>
    IGrainFactory GrainFactory { get; }

    /// <summary>The services of the silo hosting this activation.</summary>
    IServiceProvider ActivationServices { get; }

    /// <summary>Asks the runtime to deactivate this activation once its current work is done.</summary>
    void Deactivate(DeactivationReason reason);

    /// <summary>Registers a timer whose ticks run as turns of this activation.</summary>
    IGrainTimer RegisterGrainTimer(Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options);
}

/// <summary>Carries the context of the activation being constructed to <see cref="Grain"/>'s constructor.</summary>
internal static class GrainContextScope
{
    [ThreadStatic]
    private static IGrainContext? t_constructing;

    internal static IGrainContext? Current => t_constructing;

    internal static void Enter(IGrainContext context) => t_constructing = context;

    internal static void Exit() => t_constructing = null;
}
