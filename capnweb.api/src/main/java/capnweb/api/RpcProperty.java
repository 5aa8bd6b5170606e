package capnweb.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public no-argument method as a read-only property.
 *
 * <p>On an {@link RpcTarget}, a peer that reads the property (without calling it) gets the
 * method's return value. Use it for a no-argument method whose name the default rule would treat
 * as a method: one that shares its name with another method (an overload) or is varargs. Without
 * a {@link #value() name}, the property is named after the method, or after its bean name for
 * {@code getX()} / {@code isX()}.
 *
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RpcProperty {
    /** @return the property's name; empty (the default) for the name derived from the method */
    String value() default "";
}
