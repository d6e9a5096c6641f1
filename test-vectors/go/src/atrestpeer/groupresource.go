package atrestpeer

import "strings"

// GroupResource is a group-resource as configuration files write it: "secrets" (core group),
// "deployments.apps", "*.apps", "*." (every core resource), "*.*" (everything).
type GroupResource struct {
	Group    string
	Resource string
}

// anyGroupAnyResource is "*.*".
var anyGroupAnyResource = GroupResource{Group: "*", Resource: "*"}

// ParseGroupResource splits at the first dot, as upstream's schema.ParseGroupResource does, so
// "widgets.stable.example.com" is resource "widgets" of group "stable.example.com".
func ParseGroupResource(text string) GroupResource {
	if i := strings.IndexByte(text, '.'); i >= 0 {
		return GroupResource{Group: text[i+1:], Resource: text[:i]}
	}
	return GroupResource{Resource: text}
}

// String renders the group-resource as upstream's masking error does, except that every core
// resource is "*." (a bare "*" would mean something else in a configuration).
func (gr GroupResource) String() string {
	if gr.Group == "" && gr.Resource == "*" {
		return "*."
	}
	if gr.Group == "" {
		return gr.Resource
	}
	return gr.Resource + "." + gr.Group
}
