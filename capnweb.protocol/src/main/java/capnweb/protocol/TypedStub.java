package capnweb.protocol;

import capnweb.api.RpcFunction;
import capnweb.api.RpcPromise;
import capnweb.api.RpcProperty;
import capnweb.api.RpcStub;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A stub viewed as an application's Java interface (a dynamic proxy). Each interface method
 * becomes a call of the same name, or a property read for {@code getX()}/{@code isX()} and
 * {@link RpcProperty} methods; what happens to the result depends on the declared return type:
 * <ul>
 * <li>{@link RpcPromise} or {@link RpcStub}: the promise itself, so nothing waits and further
 *     calls on it pipeline;</li>
 * <li>another application interface: a typed view of the promise, pipelined the same way;</li>
 * <li>{@link CompletionStage} / {@link CompletableFuture}: completes with the converted result;</li>
 * <li>{@code void}: waits for the call to finish (its errors are thrown);</li>
 * <li>anything else: waits with the session's default timeout and converts the result to the
 *     declared (generic) type.</li>
 * </ul>
 */
final class TypedStub implements InvocationHandler {
    private final StubImpl stub;
    private final Class<?> type;

    private TypedStub(StubImpl stub, Class<?> type) {
        this.stub = stub;
        this.type = type;
    }

    static <T> T of(StubImpl stub, Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (!type.isInterface()) {
            throw new IllegalArgumentException("A stub can only be viewed as an interface; " + type.getName()
                    + " is a class. Declare the remote methods in an interface.");
        }
        Object proxy;
        try {
            proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new TypedStub(stub, type));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot view a stub as " + type.getName() + ": " + e.getMessage(), e);
        }
        return type.cast(proxy);
    }

    /** Whether a declared type names an application interface, to be returned as a typed view. */
    static boolean isApplicationInterface(Class<?> raw) {
        if (!raw.isInterface() || raw.isAnnotation()) {
            return false;
        }
        String pkg = raw.getPackageName();
        return !(pkg.startsWith("java.") || pkg.startsWith("javax.") || pkg.equals("capnweb.api")
                || pkg.startsWith("capnweb.api.") || raw == RpcFunction.class);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Object[] actual = args == null ? new Object[0] : args;
        Class<?> declaring = method.getDeclaringClass();
        if (declaring == Object.class) {
            switch (method.getName()) {
                case "equals":
                    return proxy == actual[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                default:
                    return "[typed stub " + type.getName() + "]";
            }
        }
        if (declaring.isAssignableFrom(PromiseImpl.class) || declaring == AutoCloseable.class
                || (method.getName().equals("close") && actual.length == 0)) {
            // RpcStub's own methods, for interfaces that extend it, and close().
            if (method.getName().equals("close") && actual.length == 0) {
                stub.close();
                return null;
            }
            if (!declaring.isInstance(stub)) {
                throw new UnsupportedOperationException(method.getName() + " is only available on a promise, and "
                        + "this typed stub views a plain stub.");
            }
            try {
                return method.invoke(stub, actual);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
        if (method.isDefault()) {
            try {
                return InvocationHandler.invokeDefault(proxy, method, actual);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(accessHint(method.getDeclaringClass(), "call its default method "
                        + method.getName() + "()"), e);
            }
        }
        String property = propertyName(method);
        RpcPromise promise;
        if (property != null) {
            promise = stub.get(property);
        } else {
            promise = stub.call(method.getName(), spread(method, actual));
        }
        return adapt(promise, method);
    }

    private static Object[] spread(Method method, Object[] args) {
        if (!method.isVarArgs() || args.length == 0) {
            return args;
        }
        Object last = args[args.length - 1];
        if (last == null) {
            return args;
        }
        int n = java.lang.reflect.Array.getLength(last);
        Object[] out = Arrays.copyOf(args, args.length - 1 + n);
        for (int i = 0; i < n; i++) {
            out[args.length - 1 + i] = java.lang.reflect.Array.get(last, i);
        }
        return out;
    }

    /** The property a method reads, or null if it is a call. */
    static String propertyName(Method method) {
        if (method.getParameterCount() != 0 || method.getReturnType() == void.class) {
            return null;
        }
        RpcProperty annotation = method.getAnnotation(RpcProperty.class);
        String name = method.getName();
        if (annotation != null && !annotation.value().isEmpty()) {
            return annotation.value();
        }
        if (name.length() > 3 && name.startsWith("get") && Character.isUpperCase(name.charAt(3))) {
            return decapitalize(name.substring(3));
        }
        if (name.length() > 2 && name.startsWith("is") && Character.isUpperCase(name.charAt(2))
                && (method.getReturnType() == boolean.class || method.getReturnType() == Boolean.class)) {
            return decapitalize(name.substring(2));
        }
        return annotation != null ? name : null;
    }

    private static String decapitalize(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(1))) {
            return s;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private Object adapt(RpcPromise promise, Method method) {
        Class<?> raw = method.getReturnType();
        Type generic = method.getGenericReturnType();
        if (raw == RpcPromise.class || raw == RpcStub.class) {
            return promise;
        }
        if (isApplicationInterface(raw)) {
            return of((StubImpl) promise, raw);
        }
        if (MapRecorder.current() != null) {
            throw new IllegalStateException("Inside map(), " + type.getSimpleName() + "." + method.getName()
                    + " would wait for its result, which a recording cannot do: declare it to return RpcPromise"
                    + " (or an interface) and to take Object parameters, or use call(\"" + method.getName()
                    + "\", ...) on the stub.");
        }
        if (raw == CompletionStage.class || raw == CompletableFuture.class) {
            Type element = Convert.typeArgument(generic, 0);
            return promise.toCompletableFuture().thenApply(v -> convert(v, element, method));
        }
        Object value;
        try {
            value = promise.join();
        } finally {
            promise.close();
        }
        if (raw == void.class) {
            return null;
        }
        return convert(value, generic, method);
    }

    private static Object convert(Object value, Type generic, Method method) {
        return Convert.to(value, Convert.rawOf(generic), generic,
                () -> "result of " + method.getDeclaringClass().getSimpleName() + "." + method.getName() + "()");
    }

    static String accessHint(Class<?> type, String what) {
        String pkg = type.getPackageName();
        return "capnweb.protocol cannot " + what + " of " + type.getName() + ": add 'exports " + pkg
                + " to capnweb.protocol;' (or 'exports " + pkg + ";') to the module-info.java of "
                + (type.getModule().isNamed() ? "module " + type.getModule().getName() : "its module")
                + ", and make the type public.";
    }
}
