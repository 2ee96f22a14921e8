namespace RealTimeMessageChat.RestApi.Login;

/// <summary>
/// Bounds password guessing: attempts per user id and per client address per minute. An attempt is
/// taken before the password is checked (so a burst of parallel guesses cannot all get in) and given
/// back when it succeeds, so what is counted is the attempts that did not succeed.
/// </summary>
internal interface ILoginAttemptLimiter
{
    /// <summary>
    /// Takes one attempt from the allowance of <paramref name="account"/> (null: a user id that cannot
    /// exist, limited by address only) and of <paramref name="address"/>; takes nothing and says how
    /// long to wait when either has none left.
    /// </summary>
    LoginAdmission TryAcquire(string? account, string address);

    /// <summary>The attempt succeeded: the account's count starts afresh and the address gets the attempt back.</summary>
    void Succeeded(string? account, string address);

    /// <summary>The attempt was never judged (the account store failed): both get it back.</summary>
    void Abandoned(string? account, string address);
}
