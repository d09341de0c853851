"""The import graph has the one-way arrows README's "Layout" draws.

Each package may import only the packages listed after it, so no two apps import
each other; the local-cluster tool is imported by nothing of the site. Tests are
left out: a test may use another app's factories.
"""

import grimp
import pytest

LAYERS = ("todo_site", "tasks", "accounts", "ops", "core")


@pytest.fixture(scope="module")
def graph():
    graph = grimp.build_graph(*LAYERS, "devtools")
    for module in list(graph.modules):
        if module.split(".")[1:2] == ["tests"]:
            graph.remove_module(module)
    return graph


def _chains(dependencies) -> list[str]:
    return sorted(
        " -> ".join(chain)
        for dependency in dependencies
        for route in dependency.routes
        for chain in [[*route.heads, *route.middle, *route.tails]]
    )


def test_each_package_imports_only_the_packages_below_it(graph):
    illegal = graph.find_illegal_dependencies_for_layers(layers=LAYERS)

    assert illegal == set(), _chains(illegal)


def test_no_app_imports_another_that_imports_it_back(graph):
    apps = ["tasks", "accounts", "ops", "core"]
    cycles = [
        (a, b)
        for a in apps
        for b in apps
        if a < b
        and graph.chain_exists(importer=a, imported=b, as_packages=True)
        and graph.chain_exists(importer=b, imported=a, as_packages=True)
    ]

    assert cycles == []


def test_nothing_of_the_site_imports_the_local_cluster_tool(graph):
    assert graph.find_downstream_modules("devtools", as_package=True) == set()
