using System.Collections.Concurrent;
using System.Reflection;
using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Messaging;

/// <summary>
/// Turns a remote failure back into an exception. Types are recreated only from an allow list (common
/// framework exceptions, the runtime's own, and exceptions declared in registered grain and grain-interface
/// assemblies) with a public (string message) constructor, because a type name from the network must not
/// pick arbitrary types to construct. Anything else becomes a <see cref="GrainCallException"/> that keeps the
/// original type name, message and remote stack trace.
/// </summary>
internal sealed class ExceptionCodec(GrainTypeRegistry registry)
{
    private static readonly Type[] FrameworkExceptions =
    [
        typeof(InvalidOperationException), typeof(ArgumentException), typeof(ArgumentNullException), typeof(ArgumentOutOfRangeException),
        typeof(KeyNotFoundException), typeof(NotSupportedException), typeof(NotImplementedException), typeof(TimeoutException),
        typeof(OperationCanceledException), typeof(TaskCanceledException), typeof(FormatException), typeof(UnauthorizedAccessException),
        typeof(DivideByZeroException), typeof(OverflowException), typeof(InconsistentStateException), typeof(GrainSerializationException),
        typeof(SiloUnavailableException),
    ];

    private readonly ConcurrentDictionary<string, ConstructorInfo?> _constructors = new(StringComparer.Ordinal);

    public Exception Recreate(RemoteError error)
    {
        var constructor = _constructors.GetOrAdd(error.Type, Resolve);
        if (constructor is null)
        {
            return new GrainCallException(error.Type, error.Message, error.StackTrace);
        }

        var exception = (Exception)constructor.Invoke([error.Message]);
        if (error.StackTrace is not null)
        {
            exception.Data["RemoteStackTrace"] = error.StackTrace;
        }

        return exception;
    }

    private ConstructorInfo? Resolve(string typeName)
    {
        var type = FrameworkExceptions.FirstOrDefault(t => string.Equals(t.FullName, typeName, StringComparison.Ordinal))
            ?? AppDomain.CurrentDomain.GetAssemblies()
                .Where(registry.IsKnownAssembly)
                .Select(a => a.GetType(typeName, throwOnError: false))
                .FirstOrDefault(t => t is not null && typeof(Exception).IsAssignableFrom(t));
        return type?.GetConstructor([typeof(string)]);
    }
}
