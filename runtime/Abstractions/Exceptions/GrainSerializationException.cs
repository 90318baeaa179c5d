namespace OrleansTenancy.Runtime;

/// <summary>
/// An argument or result of a grain call cannot be serialized or deserialized. The message names the grain
/// method, the parameter and the offending type and member.
/// </summary>
public sealed class GrainSerializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainSerializationException()
        : base("A grain call message could not be serialized.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public GrainSerializationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the serializer's error.</summary>
    public GrainSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
