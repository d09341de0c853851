from django.shortcuts import redirect, render


def home(request):
    if request.user.is_authenticated:
        return redirect("tasks:list")
    return render(request, "home.html", {"page_name": "home"})
